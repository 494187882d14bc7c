package io.cairndb.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// Proves the README's curl session works word for word against a real server process.
class ReadmeCurlSessionIT {

    @TempDir
    Path dir;

    @Test
    void readmeCurlSessionPrintsWhatTheReadmeSays() throws Exception {
        List<ReadmeSessionIT.Step> steps = ReadmeSessionIT.documentedSession(
                Path.of("../README.md"), "```console", "$ curl ");
        assertThat(steps).hasSize(5);
        HttpClient http = HttpClient.newHttpClient();
        try (ServerProcess server = new ServerProcess(dir.resolve("node")).start()) {
            for (ReadmeSessionIT.Step step : steps) {
                HttpRequest request = request(step.command(), server.httpPort());
                HttpResponse<String> answer = http.send(request,
                        HttpResponse.BodyHandlers.ofString());
                assertThat(normalize(answer.body().lines().toList()))
                        .as(step.command()).isEqualTo(normalize(step.expected()));
            }
        }
    }

    /** The request curl would send for the options the README uses: -s -X -H -d --data-binary. */
    private static HttpRequest request(String command, int httpPort) {
        List<String> words = ReadmeSessionIT.shellWords(command);
        String method = null;
        String body = null;
        String url = null;
        List<String> headers = new ArrayList<>();
        for (int i = 1; i < words.size(); i++) {
            switch (words.get(i)) {
                case "-s" -> { }
                case "-X" -> method = words.get(++i);
                case "-H" -> headers.add(words.get(++i));
                case "-d", "--data-binary" -> body = words.get(++i);
                default -> url = words.get(i);
            }
        }
        assertThat(url).as(command).isNotNull();
        URI uri = URI.create("http://" + url.replace("localhost:8080", "127.0.0.1:" + httpPort));
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30));
        boolean typed = false;
        for (String header : headers) {
            int colon = header.indexOf(':');
            request.header(header.substring(0, colon).trim(), header.substring(colon + 1).trim());
            typed |= header.toLowerCase(java.util.Locale.ROOT).startsWith("content-type:");
        }
        if (body != null && !typed) {
            // What curl sends with -d when no type is given.
            request.header("Content-Type", "application/x-www-form-urlencoded");
        }
        String verb = method != null ? method : body != null ? "POST" : "GET";
        return request.method(verb, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body)).build();
    }

    /** Ids, clocks and times differ from run to run; everything else must match. */
    private static List<String> normalize(List<String> lines) {
        return lines.stream()
                .map(line -> line.replaceAll("node-[0-9a-f]{8}", "NODE")
                        .replaceAll("\"(requestId|timestamp|idempotencyKey|logicalTimestamp)"
                                + "\":\"[^\"]*\"", "\"$1\":\"X\"")
                        .replaceAll("\"(duration|createdAt)\":[0-9.]+", "\"$1\":0"))
                .toList();
    }
}
