package dev.switchboard.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Pacing arithmetic, driven by hand-picked tick values instead of waiting. */
final class SimPacerTest {
  private static final long MS = 1_000_000;

  @Test
  void stepsFollowTheStartTime() {
    Pacer p = new Pacer(1_000 * MS, 100); // one token every 10 ms
    assertThat(p.dueSteps(1_000 * MS)).isEqualTo(1); // step 0 goes with the head
    assertThat(p.dueSteps(1_009 * MS)).isEqualTo(1);
    assertThat(p.dueSteps(1_010 * MS)).isEqualTo(2);
    assertThat(p.millisUntil(1, 1_000 * MS)).isEqualTo(10);
    assertThat(p.millisUntil(1, 1_004 * MS)).isEqualTo(6);
    // a late timer catches up in one tick instead of drifting
    assertThat(p.dueSteps(1_055 * MS)).isEqualTo(6);
  }

  @Test
  void fastRatesSendSeveralStepsPerMillisecond() {
    Pacer p = new Pacer(0, 10_000);
    assertThat(p.dueSteps(MS)).isEqualTo(11);
    assertThat(p.millisUntil(11, MS)).isEqualTo(1); // never below the timer resolution
  }

  @Test
  void nonStreamedAnswersWaitForTheWholeGeneration() {
    assertThat(Pacer.millisFor(61, 60)).isEqualTo(1000);
    assertThat(Pacer.millisFor(1, 60)).isZero();
    assertThat(Pacer.millisFor(100, 0)).isZero();
  }

  @Test
  void tokensSplitWithoutBreakingCharacters() {
    String text = "naïve 日本語 🎉 done";
    var pieces = Tokens.pieces(text, Integer.MAX_VALUE);
    assertThat(Tokens.join(pieces)).isEqualTo(text);
    assertThat(Tokens.tokens(pieces)).isEqualTo(Tokens.count(text));
    assertThat(pieces).allSatisfy(p -> assertThat(p.text()).doesNotContain("\uFFFD"));
    assertThat(Words.generate(5, 40).split(" ")).hasSize(40);
    assertThat(Tokens.count(Words.generate(5, 40))).isEqualTo(40);
  }
}
