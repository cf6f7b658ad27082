package dev.switchboard.codec.openai;

import dev.switchboard.util.Json;
import io.vertx.core.buffer.Buffer;
import java.io.OutputStream;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.ObjectWriteContext;

/** JSON written straight into a Vert.x {@link Buffer} by a streaming generator. */
final class JsonOut {
  private JsonOut() {}

  /** A generator appending UTF-8 JSON to {@code out}; close it (try-with-resources) to flush. */
  static JsonGenerator generator(Buffer out) {
    return Json.FACTORY.createGenerator(ObjectWriteContext.empty(), new BufferOutput(out));
  }

  /** Appends to a Buffer without an intermediate byte array. */
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
