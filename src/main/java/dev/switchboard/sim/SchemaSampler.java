package dev.switchboard.sim;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Makes a deterministic JSON value that satisfies a JSON Schema, for tool-call arguments and structured output.
 *
 * <p>Covers what function schemas use in practice: {@code type} (also as an array), {@code object} with
 * {@code properties}/{@code required}/{@code additionalProperties}/{@code minProperties}, {@code string} with
 * {@code enum}/{@code format}/{@code minLength}/{@code maxLength}, {@code integer}/{@code number} with
 * {@code minimum}/{@code maximum} (inclusive and exclusive)/{@code multipleOf}, {@code boolean}, {@code null},
 * {@code array} with {@code items}/{@code prefixItems}/{@code minItems}/{@code maxItems}, {@code const}, {@code enum},
 * {@code anyOf}/{@code oneOf} (one branch, preferring non-null ones), {@code allOf} (object branches merged) and local
 * {@code $ref}s ({@code #}, {@code #/$defs/…}, {@code #/definitions/…}). {@code pattern} is not honoured. Beyond a
 * nesting depth of {@value #MAX_DEPTH} only required properties and minimum item counts are generated, which keeps
 * recursive schemas finite.
 */
final class SchemaSampler {
  static final int MAX_DEPTH = 8;
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final JsonNode root;
  private final SplittableRandom rng;

  private SchemaSampler(JsonNode root, long seed) {
    this.root = root;
    this.rng = new SplittableRandom(seed);
  }

  /** A value valid against {@code schema}; the same schema and seed give the same value. */
  static JsonNode sample(JsonNode schema, long seed) {
    return new SchemaSampler(schema, seed).value(schema, 0);
  }

  private JsonNode value(JsonNode s, int depth) {
    if (s == null || s.isMissingNode() || s.isNull() || (s.isBoolean() && s.booleanValue())) return NODES.stringNode(word());
    if (!s.isObject()) return NODES.stringNode(word());
    if (depth > MAX_DEPTH * 4) return NODES.nullNode(); // a $ref cycle with no way out
    JsonNode ref = s.get("$ref");
    if (ref != null && ref.isString()) return value(resolve(ref.stringValue()), depth + 1);
    if (s.has("const")) return s.get("const").deepCopy();
    JsonNode en = s.get("enum");
    if (en != null && en.isArray() && !en.isEmpty()) return en.get(rng.nextInt(en.size())).deepCopy();
    for (String key : new String[] {"anyOf", "oneOf"}) {
      JsonNode branches = s.get(key);
      if (branches != null && branches.isArray() && !branches.isEmpty()) return value(pickBranch(branches), depth + 1);
    }
    JsonNode all = s.get("allOf");
    if (all != null && all.isArray() && !all.isEmpty()) return allOf(s, all, depth);
    return switch (type(s)) {
      case "object" -> object(s, depth);
      case "array" -> array(s, depth);
      case "integer" -> integer(s);
      case "number" -> number(s);
      case "boolean" -> NODES.booleanNode(rng.nextBoolean());
      case "null" -> NODES.nullNode();
      default -> string(s);
    };
  }

  private JsonNode resolve(String ref) {
    if (ref.equals("#")) return root;
    if (!ref.startsWith("#/")) return null; // remote refs are out of scope: fall back to a string
    JsonNode n = root;
    for (String part : ref.substring(2).split("/")) {
      n = n.path(part.replace("~1", "/").replace("~0", "~"));
    }
    return n.isMissingNode() ? null : n;
  }

  private JsonNode pickBranch(JsonNode branches) {
    List<JsonNode> nonNull = new ArrayList<>();
    for (JsonNode b : branches) if (!"null".equals(b.path("type").asString(""))) nonNull.add(b);
    // The first non-null branch: picking it deterministically keeps oneOf unambiguous in the common "X or null" case.
    return nonNull.isEmpty() ? branches.get(0) : nonNull.get(0);
  }

  private JsonNode allOf(JsonNode s, JsonNode all, int depth) {
    ObjectNode merged = null;
    JsonNode first = null;
    for (JsonNode branch : all) {
      JsonNode v = value(branch, depth + 1);
      if (first == null) first = v;
      if (v.isObject()) {
        if (merged == null) merged = NODES.objectNode();
        merged.setAll((ObjectNode) v);
      }
    }
    if (merged != null && (s.has("properties") || "object".equals(type(s)))) merged.setAll((ObjectNode) object(s, depth));
    return merged != null ? merged : first;
  }

  private static String type(JsonNode s) {
    JsonNode t = s.get("type");
    if (t != null && t.isString()) return t.stringValue();
    if (t != null && t.isArray()) {
      String fallback = null;
      for (JsonNode x : t) {
        if (!x.isString()) continue;
        if (!x.stringValue().equals("null")) return x.stringValue();
        fallback = "null";
      }
      if (fallback != null) return fallback;
    }
    if (s.has("properties") || s.has("additionalProperties") || s.has("required")) return "object";
    if (s.has("items") || s.has("prefixItems") || s.has("minItems")) return "array";
    if (s.has("minimum") || s.has("maximum") || s.has("exclusiveMinimum") || s.has("exclusiveMaximum")) return "number";
    return "string";
  }

  private JsonNode object(JsonNode s, int depth) {
    ObjectNode o = NODES.objectNode();
    List<String> required = new ArrayList<>();
    for (JsonNode r : s.path("required")) if (r.isString()) required.add(r.stringValue());
    JsonNode props = s.path("properties");
    for (Map.Entry<String, JsonNode> p : props.properties()) {
      if (depth < MAX_DEPTH || required.contains(p.getKey())) o.set(p.getKey(), value(p.getValue(), depth + 1));
    }
    // Required names without a property schema still have to be present.
    JsonNode additional = s.get("additionalProperties");
    for (String r : required) if (!o.has(r)) o.set(r, value(additionalSchema(additional), depth + 1));
    int minProps = s.path("minProperties").asInt(0);
    boolean extraAllowed = additional == null || !(additional.isBoolean() && !additional.booleanValue());
    for (int i = 1; o.size() < minProps && extraAllowed; i++) {
      String key = "key" + i;
      if (!o.has(key)) o.set(key, value(additionalSchema(additional), depth + 1));
    }
    return o;
  }

  private static JsonNode additionalSchema(JsonNode additional) {
    return additional != null && additional.isObject() ? additional : null;
  }

  private JsonNode array(JsonNode s, int depth) {
    ArrayNode a = NODES.arrayNode();
    int min = Math.max(0, s.path("minItems").asInt(0));
    int max = s.has("maxItems") ? s.path("maxItems").asInt(Integer.MAX_VALUE) : Integer.MAX_VALUE;
    JsonNode prefix = s.get("prefixItems");
    JsonNode items = s.get("items");
    if (items != null && items.isArray()) { // draft-04..07 tuple form
      prefix = items;
      items = s.get("additionalItems");
    }
    int prefixLen = prefix != null && prefix.isArray() ? prefix.size() : 0;
    int want = depth >= MAX_DEPTH ? min : Math.max(min, 1 + rng.nextInt(3));
    if (prefixLen > 0) want = Math.max(min, Math.min(want, prefixLen));
    if (items != null && items.isBoolean() && !items.booleanValue()) want = Math.min(want, prefixLen);
    want = Math.min(want, max);
    boolean unique = s.path("uniqueItems").asBoolean(false);
    for (int i = 0; i < want; i++) {
      JsonNode schema = i < prefixLen ? prefix.get(i) : additionalSchema(items);
      JsonNode v = value(schema, depth + 1);
      for (int attempt = 0; unique && attempt < 8 && contains(a, v); attempt++) v = value(schema, depth + 1);
      if (unique && contains(a, v)) {
        if (a.size() >= min) break;
      }
      a.add(v);
    }
    return a;
  }

  private static boolean contains(ArrayNode a, JsonNode v) {
    for (JsonNode x : a) if (x.equals(v)) return true;
    return false;
  }

  private JsonNode integer(JsonNode s) {
    long lo = Long.MIN_VALUE;
    long hi = Long.MAX_VALUE;
    if (s.path("minimum").isNumber()) lo = (long) Math.ceil(s.get("minimum").doubleValue());
    if (s.path("exclusiveMinimum").isNumber()) lo = Math.max(lo, (long) Math.floor(s.get("exclusiveMinimum").doubleValue()) + 1);
    if (s.path("maximum").isNumber()) hi = (long) Math.floor(s.get("maximum").doubleValue());
    if (s.path("exclusiveMaximum").isNumber()) hi = Math.min(hi, (long) Math.ceil(s.get("exclusiveMaximum").doubleValue()) - 1);
    // Draft-04 boolean exclusivity.
    if (s.path("exclusiveMinimum").isBoolean() && s.get("exclusiveMinimum").booleanValue() && lo != Long.MIN_VALUE) lo++;
    if (s.path("exclusiveMaximum").isBoolean() && s.get("exclusiveMaximum").booleanValue() && hi != Long.MAX_VALUE) hi--;
    if (lo == Long.MIN_VALUE && hi == Long.MAX_VALUE) {
      lo = 1;
      hi = 100;
    } else if (lo == Long.MIN_VALUE) {
      lo = hi - 100;
    } else if (hi == Long.MAX_VALUE) {
      hi = lo + 100;
    }
    if (hi < lo) hi = lo; // unsatisfiable bounds: stay on the lower one rather than fail
    long v = lo + (long) (rng.nextDouble() * (hi - lo + 1));
    v = Math.min(v, hi);
    long m = s.path("multipleOf").isIntegralNumber() ? s.get("multipleOf").longValue() : 0;
    if (m > 0) {
      long up = Math.floorDiv(v + m - 1, m) * m;
      long down = Math.floorDiv(v, m) * m;
      v = up <= hi ? up : down >= lo ? down : v;
    }
    return NODES.numberNode(v);
  }

  private JsonNode number(JsonNode s) {
    double lo = Double.NEGATIVE_INFINITY;
    double hi = Double.POSITIVE_INFINITY;
    boolean loExcl = false;
    boolean hiExcl = false;
    if (s.path("minimum").isNumber()) lo = s.get("minimum").doubleValue();
    if (s.path("maximum").isNumber()) hi = s.get("maximum").doubleValue();
    if (s.path("exclusiveMinimum").isNumber()) {
      lo = Math.max(lo, s.get("exclusiveMinimum").doubleValue());
      loExcl = true;
    }
    if (s.path("exclusiveMaximum").isNumber()) {
      hi = Math.min(hi, s.get("exclusiveMaximum").doubleValue());
      hiExcl = true;
    }
    if (s.path("exclusiveMinimum").asBoolean(false)) loExcl = true;
    if (s.path("exclusiveMaximum").asBoolean(false)) hiExcl = true;
    if (Double.isInfinite(lo) && Double.isInfinite(hi)) {
      lo = 0;
      hi = 100;
    } else if (Double.isInfinite(lo)) {
      lo = hi - 100;
    } else if (Double.isInfinite(hi)) {
      hi = lo + 100;
    }
    if (s.path("multipleOf").isNumber()) {
      BigDecimal m = s.get("multipleOf").decimalValue();
      if (m.signum() > 0) {
        BigDecimal first = BigDecimal.valueOf(lo).divide(m, 0, RoundingMode.CEILING).multiply(m);
        if (loExcl && first.doubleValue() <= lo) first = first.add(m);
        return NODES.numberNode(first.stripTrailingZeros());
      }
    }
    // Two decimals read like a real value; nudge inwards so exclusive bounds hold after rounding.
    double v = lo + rng.nextDouble() * (hi - lo);
    BigDecimal d = BigDecimal.valueOf(v).setScale(2, RoundingMode.HALF_UP);
    double r = d.doubleValue();
    if (r < lo || (loExcl && r <= lo) || r > hi || (hiExcl && r >= hi)) r = (lo + hi) / 2;
    if (loExcl && hiExcl && r <= lo) r = Math.nextUp(lo);
    return NODES.numberNode(r);
  }

  private JsonNode string(JsonNode s) {
    String format = s.path("format").asString("");
    String v = switch (format.toLowerCase(Locale.ROOT)) {
      case "date-time" -> String.format(Locale.ROOT, "2025-%02d-%02dT%02d:%02d:00Z", 1 + rng.nextInt(12),
          1 + rng.nextInt(28), rng.nextInt(24), rng.nextInt(60));
      case "date" -> String.format(Locale.ROOT, "2025-%02d-%02d", 1 + rng.nextInt(12), 1 + rng.nextInt(28));
      case "time" -> String.format(Locale.ROOT, "%02d:%02d:00Z", rng.nextInt(24), rng.nextInt(60));
      case "email", "idn-email" -> word() + "@example.com";
      case "uri", "url", "iri", "uri-reference", "iri-reference" -> "https://example.com/" + word();
      case "hostname", "idn-hostname" -> word() + ".example.com";
      case "ipv4" -> "192.0.2." + (1 + rng.nextInt(254));
      case "ipv6" -> "2001:db8::" + Integer.toHexString(1 + rng.nextInt(0xfffe));
      case "uuid" -> new java.util.UUID(rng.nextLong() & ~0xF000L | 0x4000L,
          rng.nextLong() & 0x3FFFFFFFFFFFFFFFL | 0x8000000000000000L).toString();
      case "duration" -> "PT" + (1 + rng.nextInt(59)) + "M";
      default -> word() + " " + word();
    };
    int min = Math.max(0, s.path("minLength").asInt(0));
    int max = s.has("maxLength") ? Math.max(0, s.path("maxLength").asInt(Integer.MAX_VALUE)) : Integer.MAX_VALUE;
    StringBuilder sb = new StringBuilder(v);
    while (sb.length() < min) sb.append(' ').append(word());
    if (sb.length() > max) sb.setLength(max);
    return NODES.stringNode(sb.toString());
  }

  private String word() {
    return Words.WORDS.get(rng.nextInt(Words.WORDS.size()));
  }
}
