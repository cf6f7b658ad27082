package dev.switchboard.sim;

import dev.switchboard.util.Json;
import io.vertx.core.buffer.Buffer;
import java.io.OutputStream;
import java.util.concurrent.ThreadLocalRandom;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.ObjectWriteContext;

/**
 * Small helpers shared by the OpenAI, Anthropic, Gemini and control servers: JSON straight into a Vert.x {@link Buffer}, and
 * ids.
 */
final class Wire {
  static final String JSON = "application/json";
  private static final char[] ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

  private Wire() {}

  /** A generator appending UTF-8 JSON to {@code out}; close it (try-with-resources) to flush. */
  static JsonGenerator generator(Buffer out) {
    return Json.FACTORY.createGenerator(ObjectWriteContext.empty(), new BufferOutput(out));
  }

  /** {@code prefix} + 24 random alphanumerics, the shape of OpenAI's {@code chatcmpl-…} and {@code call_…} ids. */
  static String id(String prefix) {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    char[] c = new char[24];
    for (int i = 0; i < c.length; i++) c[i] = ALNUM[r.nextInt(ALNUM.length)];
    return prefix + new String(c);
  }

  /** A request id in the shape OpenAI uses: {@code req_} + 32 hex digits. */
  static String requestId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return "req_" + hex16(r.nextLong()) + hex16(r.nextLong());
  }

  private static String hex16(long v) {
    String s = Long.toHexString(v);
    return "0".repeat(16 - s.length()) + s;
  }

  /** Appends to a Buffer without copying through an intermediate byte array. */
  private static final class BufferOutput extends OutputStream {
    private final Buffer out;

    BufferOutput(Buffer out) {
      this.out = out;
    }

    @Override
    public void write(int b) {
      out.appendByte((byte) b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      out.appendBytes(b, off, len);
    }
  }
}
