package io.cairndb.server.control;

import io.cairndb.core.Backoff;
import io.cairndb.server.common.ConfigException;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a joining node waits for the member it joins through. Nodes that an orchestrator starts
 * together come up in any order and at any speed, so a joiner asks again, after a randomised
 * backoff, until the member answers: by default without limit, like a service waiting for the
 * services it depends on. It logs at once, and then every {@link #REPORT_INTERVAL}, what it waits
 * for and why. {@code membership.joinTimeoutMillis} bounds the wait for operators who want the
 * process to exit instead.
 */
public final class JoinWait {

    private static final Logger LOG = LoggerFactory.getLogger(JoinWait.class);
    private static final Backoff BACKOFF = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(2));
    /** How often a joiner still waiting says so. */
    static final Duration REPORT_INTERVAL = Duration.ofSeconds(5);

    /** The wait ran out: the member never answered, or kept asking the joiner to try again. */
    public static final class TimedOut extends ConfigException {

        private static final long serialVersionUID = 1L;

        TimedOut(String message) {
            super(message);
        }
    }

    /** One try: an answer, or the reason to ask again. */
    public sealed interface Attempt<T> {

        record Answer<T>(T value) implements Attempt<T> {
        }

        record Retry<T>(String reason) implements Attempt<T> {
        }
    }

    private final String target;
    private final long limitMillis;
    private final Random random = new Random();

    /**
     * @param target the member's client address
     * @param limitMillis how long to keep trying; 0 waits without limit
     */
    public JoinWait(String target, long limitMillis) {
        if (limitMillis < 0) {
            throw new IllegalArgumentException("limitMillis is " + limitMillis);
        }
        this.target = target;
        this.limitMillis = limitMillis;
    }

    /**
     * Tries {@code call} until it answers, and returns the answer.
     *
     * @param what what the joiner asks the member for, as a phrase ("learn the control group")
     * @throws TimedOut when the limit passes first, naming the last reason
     * @throws ConfigException when interrupted
     */
    public <T> T until(String what, Supplier<Attempt<T>> call) {
        long startNanos = System.nanoTime();
        long reportedNanos = 0;
        for (int attempt = 0; ; attempt++) {
            Attempt<T> result = call.get();
            if (result instanceof Attempt.Answer<T> answer) {
                if (attempt > 0) {
                    LOG.info("{} answered after {} s: {} done", target,
                            TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNanos), what);
                }
                return answer.value();
            }
            String reason = ((Attempt.Retry<T>) result).reason();
            long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
            if (limitMillis > 0 && elapsedMillis >= limitMillis) {
                throw new TimedOut("cannot join the cluster through " + target + ": could not "
                        + what + " within " + limitMillis + " ms (membership.joinTimeoutMillis; 0 "
                        + "waits without limit); last answer: " + reason);
            }
            if (attempt == 0 || System.nanoTime() - reportedNanos >= REPORT_INTERVAL.toNanos()) {
                LOG.info("waiting for {} to {} ({} s so far{}): {}", target, what,
                        elapsedMillis / 1000, limitMillis > 0 ? ", giving up after "
                                + limitMillis / 1000 + " s" : "", reason);
                reportedNanos = System.nanoTime();
            }
            long waitMillis = BACKOFF.delay(attempt, random).toMillis();
            if (limitMillis > 0) {
                waitMillis = Math.max(1, Math.min(waitMillis, limitMillis - elapsedMillis));
            }
            try {
                Thread.sleep(waitMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ConfigException("interrupted while waiting for " + target + " to "
                        + what);
            }
        }
    }
}
