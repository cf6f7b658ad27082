package dev.switchboard.sim;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import java.net.InetAddress;

/**
 * Waits until the server sockets whose close already completed have really stopped listening.
 *
 * <p>Why: on the NIO transport, Vert.x's {@code HttpServer.close()} completes when Netty's server channel is closed,
 * that is when {@code ServerSocketChannel.close()} has returned. But the JDK does not close the file descriptor of a
 * channel registered with a {@link java.nio.channels.Selector} there: it leaves it "kill pending" until that selector's
 * next selection operation deregisters the key ({@code SelectorImpl.processDeregisterQueue}, before and after each
 * poll). Until Vert.x's acceptor event loop selects again, the kernel keeps the socket in LISTEN, so a connect to the
 * port still succeeds and binding the port again fails with "Address already in use". Usually that takes microseconds;
 * on a loaded machine the caller can connect first.
 *
 * <p>How: one {@code Vertx} accepts for all its servers on one acceptor event loop, and a connection it accepts comes
 * out of a selection that returned after the connection was made. So a connection made after the close, and accepted,
 * proves that the acceptor loop has selected since the close and released every descriptor closed before it. This opens
 * a throwaway loopback listener, connects to it and completes once the connection is accepted. No timing is assumed.
 *
 * <p>Thread-safe; never blocks, so it may be called on an event loop.
 */
final class PortRelease {
  private static final String LOOPBACK = InetAddress.getLoopbackAddress().getHostAddress();

  private PortRelease() {}

  /**
   * A future that completes once every server socket of {@code vertx} whose close completed before this call has
   * stopped listening; it fails if the probe listener cannot be opened or connected to.
   */
  static Future<Void> await(Vertx vertx) {
    Promise<Void> accepted = Promise.promise();
    NetServer probe = vertx.createNetServer().connectHandler(so -> {
      so.close();
      accepted.tryComplete();
    });
    NetClient client = vertx.createNetClient();
    return probe.listen(0, LOOPBACK)
        .compose(server -> client.connect(server.actualPort(), LOOPBACK))
        .compose(so -> accepted.future())
        .eventually(() -> Future.join(client.close(), probe.close()));
  }
}
