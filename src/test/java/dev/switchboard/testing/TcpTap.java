package dev.switchboard.testing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;

/**
 * A loopback TCP forwarder placed between the gateway and one upstream, so that a test can wait until a request has
 * really reached the upstream before it does something (say, hang up the client) without sleeping.
 *
 * <p>{@link #forwardedHeads()} gets one entry per connection once the complete head of the first request on it
 * ({@code ...\r\n\r\n}) has been written to the upstream's socket. Everything is passed through unchanged in both
 * directions; when either side closes, the other is closed after its pending bytes (a FIN, not a reset), so the upstream
 * always sees the bytes before the end.
 */
public final class TcpTap {
  private static final byte[] HEAD_END = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  private final NetServer server;
  private final AwaitableLog<Integer> forwardedHeads = new AwaitableLog<>();
  private int connections;

  private TcpTap(NetServer server) {
    this.server = server;
  }

  static Future<TcpTap> start(Vertx vertx, int upstreamPort) {
    NetClient client = vertx.createNetClient();
    TcpTap[] self = new TcpTap[1];
    NetServer server = vertx.createNetServer().connectHandler(in -> {
      in.pause();
      client.connect(upstreamPort, "127.0.0.1").onComplete(ar -> {
        if (ar.failed()) {
          in.close();
          return;
        }
        self[0].pipe(in, ar.result());
      });
    });
    self[0] = new TcpTap(server);
    return server.listen(0, "127.0.0.1").map(s -> self[0]);
  }

  public int port() {
    return server.actualPort();
  }

  /** Connection numbers (from 1) whose first request head has been handed to the upstream. */
  public AwaitableLog<Integer> forwardedHeads() {
    return forwardedHeads;
  }

  private void pipe(NetSocket in, NetSocket out) {
    int number;
    synchronized (this) {
      number = ++connections;
    }
    Buffer seen = Buffer.buffer();
    boolean[] reported = new boolean[1];
    in.handler(data -> out.write(data).onSuccess(v -> {
      if (reported[0]) return;
      seen.appendBuffer(data);
      if (seen.toString(StandardCharsets.ISO_8859_1).contains(new String(HEAD_END, StandardCharsets.ISO_8859_1))) {
        reported[0] = true;
        forwardedHeads.add(number);
      }
    }));
    out.handler(in::write);
    in.closeHandler(v -> out.end());
    out.closeHandler(v -> in.end());
    in.resume();
  }
}
