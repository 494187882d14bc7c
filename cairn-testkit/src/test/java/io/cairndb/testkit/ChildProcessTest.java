package io.cairndb.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

// Proves a child's output and exit code come back, and a hung child is killed at the limit.
class ChildProcessTest {

    private static final String JAVA =
            Path.of(System.getProperty("java.home"), "bin", "java").toString();

    @Test
    void returnsTheExitCodeAndEverythingPrinted() throws Exception {
        ChildProcess.Result ran = ChildProcess.run(List.of(JAVA, "-version"),
                Duration.ofSeconds(60));
        assertThat(ran.exitCode()).isZero();
        assertThat(ran.output()).contains("version");
        assertThat(ChildProcess.run(List.of(JAVA, "-no-such-option"), Duration.ofSeconds(60))
                .exitCode()).isNotZero();
    }

    @Test
    void killsAChildStillRunningAtTheLimitAndSaysSo() {
        long started = System.nanoTime();
        assertThatThrownBy(() -> ChildProcess.run(List.of("sleep", "600"),
                Duration.ofMillis(300)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("[sleep, 600] still running after PT0.3S; killed");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(
                Duration.ofSeconds(60));
    }
}
