package io.cairndb.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairndb.testkit.Property;
import org.junit.jupiter.api.Test;

// Proves the failure detector trusts regular heartbeats and suspects a node that falls silent.
class PhiAccrualFailureDetectorTest {

    @Test
    void regularHeartbeatsKeepANodeUpAndSilenceTakesItDown() {
        PhiAccrualFailureDetector detector = PhiAccrualFailureDetector.forInterval(500);
        long now = 0;
        for (int i = 0; i < 50; i++) {
            now += 500;
            detector.heartbeat("n1", now);
            assertThat(detector.isAvailable("n1", now + 100)).isTrue();
        }
        assertThat(detector.isAvailable("n1", now + 900)).isTrue();
        assertThat(detector.isAvailable("n1", now + 10_000)).isFalse();
        detector.heartbeat("n1", now + 10_000);
        assertThat(detector.isAvailable("n1", now + 10_100)).isTrue();
    }

    @Test
    void phiGrowsWithSilence() {
        Property.forAll("phi is monotonic in elapsed time", random -> {
            PhiAccrualFailureDetector detector = PhiAccrualFailureDetector.forInterval(
                    100 + random.nextInt(900));
            long now = 0;
            for (int i = 0; i < 20; i++) {
                now += 200 + random.nextInt(600);
                detector.heartbeat("n", now);
            }
            double previous = -1;
            for (long later = now; later < now + 20_000; later += 250) {
                double phi = detector.phi("n", later);
                assertThat(phi).isGreaterThanOrEqualTo(previous);
                previous = phi;
            }
        });
    }

    @Test
    void unknownNodesAreGivenTheBenefitOfTheDoubt() {
        PhiAccrualFailureDetector detector = PhiAccrualFailureDetector.forInterval(500);
        assertThat(detector.isAvailable("never-seen", 1_000_000)).isTrue();
        detector.heartbeat("once", 0);
        assertThat(detector.isAvailable("once", 300)).isTrue();
        assertThat(detector.isAvailable("once", 30_000)).isFalse();
        detector.remove("once");
        assertThat(detector.isAvailable("once", 30_000)).isTrue();
    }
}
