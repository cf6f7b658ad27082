package dev.switchboard.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.util.Json;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** SchemaSampler produces values valid for the schemas function tools and structured outputs use. */
final class SimSchemaSamplerTest {
  private static JsonNode sample(String schema, long seed) {
    return SchemaSampler.sample(Json.MAPPER.readTree(schema), seed);
  }

  @Test
  void objectWithRequiredEnumsFormatsAndBounds() {
    String schema = """
        {"type":"object","additionalProperties":false,"required":["id","kind","when","n","ratio","ok"],
         "properties":{
           "id":{"type":"string","format":"uuid"},
           "kind":{"type":"string","enum":["a","b","c"]},
           "when":{"type":"string","format":"date-time"},
           "mail":{"type":"string","format":"email"},
           "n":{"type":"integer","minimum":10,"maximum":12},
           "even":{"type":"integer","minimum":1,"maximum":9,"multipleOf":2},
           "ratio":{"type":"number","exclusiveMinimum":0,"maximum":1},
           "ok":{"type":"boolean"},
           "short":{"type":"string","minLength":3,"maxLength":5}}}""";
    for (long seed = 0; seed < 50; seed++) {
      JsonNode v = sample(schema, seed);
      assertThat(v.propertyNames()).contains("id", "kind", "when", "n", "ratio", "ok");
      assertThat(v.get("id").asString()).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
      assertThat(v.get("kind").asString()).isIn("a", "b", "c");
      assertThat(v.get("when").asString()).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z");
      assertThat(v.get("mail").asString()).contains("@");
      assertThat(v.get("n").isIntegralNumber()).isTrue();
      assertThat(v.get("n").asInt()).isBetween(10, 12);
      assertThat(v.get("even").asInt() % 2).isZero();
      assertThat(v.get("even").asInt()).isBetween(1, 9);
      assertThat(v.get("ratio").asDouble()).isGreaterThan(0).isLessThanOrEqualTo(1);
      assertThat(v.get("ok").isBoolean()).isTrue();
      assertThat(v.get("short").asString().length()).isBetween(3, 5);
    }
  }

  @Test
  void arraysNestingAndConst() {
    JsonNode v = sample("""
        {"type":"object","properties":{
          "tags":{"type":"array","items":{"type":"string"},"minItems":3,"maxItems":3},
          "points":{"type":"array","items":{"type":"object","properties":{"x":{"type":"number"},"y":{"type":"number"}},
                    "required":["x","y"]}},
          "version":{"const":2},
          "pair":{"type":"array","prefixItems":[{"type":"integer"},{"type":"boolean"}],"items":false}}}""", 7);
    assertThat(v.get("tags").size()).isEqualTo(3);
    assertThat(v.get("tags").get(0).isString()).isTrue();
    assertThat(v.get("points").size()).isPositive();
    assertThat(v.get("points").get(0).get("x").isNumber()).isTrue();
    assertThat(v.get("version").asInt()).isEqualTo(2);
    assertThat(v.get("pair").size()).isBetween(1, 2);
    assertThat(v.get("pair").get(0).isIntegralNumber()).isTrue();
  }

  @Test
  void unionsNullableTypesAndRefs() {
    JsonNode v = sample("""
        {"type":"object","required":["a","b","c","tree"],"properties":{
          "a":{"anyOf":[{"type":"null"},{"type":"integer","minimum":5,"maximum":5}]},
          "b":{"type":["string","null"],"enum":["x"]},
          "c":{"oneOf":[{"$ref":"#/$defs/point"}]},
          "tree":{"$ref":"#/$defs/node"}},
         "$defs":{
          "point":{"type":"object","properties":{"x":{"type":"integer"}},"required":["x"]},
          "node":{"type":"object","properties":{"children":{"type":"array","items":{"$ref":"#/$defs/node"}}},
                  "required":["children"]}}}""", 3);
    assertThat(v.get("a").asInt()).isEqualTo(5);
    assertThat(v.get("b").asString()).isEqualTo("x");
    assertThat(v.get("c").get("x").isIntegralNumber()).isTrue();
    assertThat(v.get("tree").get("children").isArray()).isTrue(); // recursion ends: depth-limited, not endless
  }

  @Test
  void sameSeedSameValueAndEmptySchemas() {
    String schema = "{\"type\":\"object\",\"properties\":{\"s\":{\"type\":\"string\"},\"n\":{\"type\":\"number\"}}}";
    assertThat(sample(schema, 42)).isEqualTo(sample(schema, 42));
    assertThat(sample("{\"type\":\"object\"}", 1).isObject()).isTrue();
    assertThat(sample("{}", 1).isString()).isTrue();
    assertThat(sample("{\"type\":\"object\",\"minProperties\":2}", 1).size()).isEqualTo(2);
  }
}
