package dev.switchboard.codec.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AnthropicToolIdsTest {
  @ParameterizedTest
  @ValueSource(strings = {"toolu_01A09q90qw90lq917835lq9", "tooluse_Ab-9", "call_abc123", "functions.get_weather:0",
      "", "id with spaces", "émoji😀", "sbx_", "sbx_abc", "sbx_ZnVuY3Rpb25zLmdldF93ZWF0aGVyOjA", "a/b",
      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.long"})
  void everyIdSurvivesTheWireAndTheWireIdFitsAnthropicsPattern(String id) {
    String wire = ToolIds.toWire(id);
    assertThat(wire).matches("[a-zA-Z0-9_-]+");
    assertThat(ToolIds.fromWire(wire)).isEqualTo(id);
  }

  @ParameterizedTest
  @ValueSource(strings = {"toolu_01", "call_1", "tooluse_x"})
  void idsThatFitAreSentUnchanged(String id) {
    assertThat(ToolIds.toWire(id)).isEqualTo(id);
  }

  @ParameterizedTest
  @ValueSource(strings = {"sbx_!!", "sbx_dG9vbHVfMDE", "sbx__w"})
  void aClientsOwnIdThatMerelyLooksEncodedIsLeftAlone(String id) {
    // "dG9vbHVfMDE" is base64url of "toolu_01", which toWire would never have encoded; "_w" is not UTF-8.
    assertThat(ToolIds.fromWire(id)).isEqualTo(id);
  }
}
