package dev.switchboard.sim;

import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /v1/embeddings}: deterministic unit vectors seeded from the model and each input, so the same text gets
 * the same vector from every deployment. Inputs may be a string, strings, a token array or token arrays (PROTOCOLS.md
 * 1.5); output is float arrays or, as the SDKs ask by default, base64 of little-endian float32.
 */
final class Embeddings {
  static final int DEFAULT_DIMENSIONS = 1536;
  private static final int MAX_DIMENSIONS = 8192;

  /** One input: {@code text} or {@code tokens}. */
  record Input(String text, int[] tokens) {}

  record Request(String model, List<Input> inputs, boolean base64, int dimensions, int promptTokens) {}

  private Embeddings() {}

  static Request parse(JsonNode root, List<String> served) {
    if (!root.isObject()) throw ApiError.invalid(null, "The request body must be a JSON object.");
    String model = ChatRequest.requireModel(root, served);
    JsonNode in = root.get("input");
    if (in == null || in.isNull()) {
      throw new ApiError(400, "invalid_request_error", "Missing required parameter: 'input'.", "input",
          "missing_required_parameter");
    }
    List<Input> inputs = new ArrayList<>();
    if (in.isString()) {
      inputs.add(text(in, "input"));
    } else if (in.isArray() && !in.isEmpty() && in.get(0).isIntegralNumber()) {
      inputs.add(tokens(in, "input"));
    } else if (in.isArray() && !in.isEmpty()) {
      for (int i = 0; i < in.size(); i++) {
        JsonNode x = in.get(i);
        String at = "input[" + i + "]";
        if (x.isString()) inputs.add(text(x, at));
        else if (x.isArray()) inputs.add(tokens(x, at));
        else throw ApiError.invalidType(at, "a string or an array of token ids");
      }
    } else {
      throw ApiError.invalid("input", "'input' must be a non-empty string, array of strings, array of token ids or "
          + "array of token arrays.");
    }
    JsonNode fmt = root.get("encoding_format");
    boolean base64 = false;
    if (fmt != null && !fmt.isNull()) {
      String f = fmt.isString() ? fmt.stringValue() : "";
      if (!f.equals("float") && !f.equals("base64")) {
        throw ApiError.invalid("encoding_format", "Invalid value: '" + fmt.asString()
            + "'. Supported values are: 'float' and 'base64'.");
      }
      base64 = f.equals("base64");
    }
    int dims = DEFAULT_DIMENSIONS;
    JsonNode d = root.get("dimensions");
    if (d != null && !d.isNull()) {
      if (!d.isIntegralNumber() || !d.canConvertToInt() || d.intValue() < 1 || d.intValue() > MAX_DIMENSIONS) {
        throw ApiError.invalid("dimensions", "Invalid 'dimensions': expected an integer between 1 and "
            + MAX_DIMENSIONS + ".");
      }
      dims = d.intValue();
    }
    int tokens = 0;
    for (Input i : inputs) tokens += i.text() != null ? Tokens.count(i.text()) : i.tokens().length;
    return new Request(model, List.copyOf(inputs), base64, dims, tokens);
  }

  private static Input text(JsonNode x, String at) {
    if (x.stringValue().isEmpty()) throw ApiError.invalid(at, "'" + at + "' cannot be an empty string.");
    return new Input(x.stringValue(), null);
  }

  private static Input tokens(JsonNode x, String at) {
    if (x.isEmpty()) throw ApiError.invalid(at, "'" + at + "' cannot be an empty array.");
    int[] t = new int[x.size()];
    for (int i = 0; i < t.length; i++) {
      JsonNode v = x.get(i);
      if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 0) {
        throw ApiError.invalidType(at + "[" + i + "]", "a non-negative integer token id");
      }
      t[i] = v.intValue();
    }
    return new Input(null, t);
  }

  static Buffer render(Request r) {
    Buffer out = Buffer.buffer(r.inputs().size() * (r.base64() ? r.dimensions() * 6 : r.dimensions() * 12) + 256);
    try (JsonGenerator g = Wire.generator(out)) {
      g.writeStartObject();
      g.writeStringProperty("object", "list");
      g.writeArrayPropertyStart("data");
      for (int i = 0; i < r.inputs().size(); i++) {
        float[] v = vector(r.model(), r.inputs().get(i), r.dimensions());
        g.writeStartObject();
        g.writeStringProperty("object", "embedding");
        g.writeNumberProperty("index", i);
        if (r.base64()) {
          ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
          for (float f : v) b.putFloat(f);
          g.writeStringProperty("embedding", Base64.getEncoder().encodeToString(b.array()));
        } else {
          g.writeArrayPropertyStart("embedding");
          for (float f : v) g.writeNumber(f);
          g.writeEndArray();
        }
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeStringProperty("model", r.model());
      g.writeObjectPropertyStart("usage");
      g.writeNumberProperty("prompt_tokens", r.promptTokens());
      g.writeNumberProperty("total_tokens", r.promptTokens());
      g.writeEndObject();
      g.writeEndObject();
    }
    return out;
  }

  /** A unit vector drawn from a Gaussian seeded by (model, input): a uniformly random direction, reproducibly. */
  static float[] vector(String model, Input in, int dims) {
    long h = Words.hash(Words.HASH_START, model);
    if (in.text() != null) {
      h = Words.hash(h, in.text());
    } else {
      for (int t : in.tokens()) h = Words.mix(h, t);
    }
    SplittableRandom rng = new SplittableRandom(h);
    float[] v = new float[dims];
    double norm = 0;
    for (int i = 0; i < dims; i++) {
      double x = rng.nextGaussian();
      v[i] = (float) x;
      norm += x * x;
    }
    double inv = 1 / Math.sqrt(norm);
    for (int i = 0; i < dims; i++) v[i] = (float) (v[i] * inv);
    return v;
  }
}
