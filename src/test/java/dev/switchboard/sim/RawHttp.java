package dev.switchboard.sim;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A hand-written HTTP/1.1 exchange on a plain socket, for what a client library hides: hanging up at an exact point.
 */
final class RawHttp implements AutoCloseable {
  private final Socket socket;
  private final BufferedReader in;

  RawHttp(int port, String path, String requestId, String json) throws IOException {
    this(port, path, requestId, json, "");
  }

  /** @param extraHeaders more header lines, each ending in CRLF (e.g. {@code anthropic-version: 2023-06-01\r\n}) */
  RawHttp(int port, String path, String requestId, String json, String extraHeaders) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(20_000);
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    String head = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer test\r\n"
        + "Content-Type: application/json\r\nx-request-id: " + requestId + "\r\nContent-Length: " + body.length
        + "\r\n" + extraHeaders + "\r\n";
    socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().write(body);
    socket.getOutputStream().flush();
    in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
  }

  /** Reads until {@code n} SSE events carrying content have arrived. */
  void readContentEvents(int n) throws IOException {
    int seen = 0;
    while (seen < n) {
      String line = in.readLine();
      if (line == null) throw new IOException("stream ended after " + seen + " content events");
      if (line.startsWith("data: ") && line.contains("\"content\":\"") && !line.contains("\"content\":\"\"")) seen++;
    }
  }

  /** Reads until {@code n} lines containing {@code marker} have arrived. */
  void readLinesContaining(String marker, int n) throws IOException {
    int seen = 0;
    while (seen < n) {
      String line = in.readLine();
      if (line == null) throw new IOException("stream ended after " + seen + " lines with " + marker);
      if (line.contains(marker)) seen++;
    }
  }

  /** The status line, e.g. {@code HTTP/1.1 200 OK}. */
  String statusLine() throws IOException {
    return in.readLine();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
