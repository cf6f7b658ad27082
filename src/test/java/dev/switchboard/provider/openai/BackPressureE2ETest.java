package dev.switchboard.provider.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.config.ConfigLoader;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.exchange.ExchangeObserver;
import dev.switchboard.server.Gateway;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that stops reading slows the upstream instead of making the gateway buffer the answer. The
 * upstream here streams as fast as its socket takes data, like a real model server blocked on send: it
 * cannot finish while the client reads nothing, and sees the hang-up when the client leaves.
 */
class BackPressureE2ETest {
  private static final int EVENTS = 200_000; // about 30 MB of SSE, far beyond every socket buffer and queue
  private static final Buffer EVENT = Buffer.buffer("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\","
      + "\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" word\"},"
      + "\"finish_reason\":null}]}\n\n");

  @TempDir Path dir;

  /** Writes events while its socket accepts them, pausing on a full write queue until it drains. */
  private static final class Firehose {
    final CompletableFuture<Integer> finished = new CompletableFuture<>();
    final CompletableFuture<Integer> clientLeft = new CompletableFuture<>();
    int sent;

    void serve(HttpServerResponse resp) {
      resp.setChunked(true).putHeader("content-type", "text/event-stream");
      resp.closeHandler(v -> clientLeft.complete(sent));
      resp.drainHandler(v -> pump(resp));
      pump(resp);
    }

    private void pump(HttpServerResponse resp) {
      while (sent < EVENTS && !resp.writeQueueFull() && !clientLeft.isDone()) {
        resp.write(EVENT);
        sent++;
      }
      if (sent == EVENTS && !finished.isDone()) {
        resp.end("data: [DONE]\n\n");
        finished.complete(sent);
      }
    }
  }

  @Test
  void aClientThatStopsReadingHoldsBackTheUpstream() throws Exception {
    Vertx vertx = Vertx.vertx();
    Firehose firehose = new Firehose();
    HttpServer upstream = vertx.createHttpServer()
        .requestHandler(req -> req.body().onSuccess(b -> firehose.serve(req.response())));
    upstream.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    Path file = dir.resolve("switchboard.yaml");
    Files.writeString(file, "providers:\n  - {name: firehose, base_url: \"http://127.0.0.1:" + upstream.actualPort()
        + "/v1\"}\nmodels:\n  - {name: big, provider: firehose}\n");
    Map<String, String> env = Map.of("SWITCHBOARD_MASTER_KEY", "bp-test");
    SwitchboardConfig config = new ConfigLoader(env::get).load(new ConfigLoader.Flags(file, 0, null, dir));
    try (Gateway g = Gateway.start(config, env::get, ExchangeObserver.NONE); Socket socket = new Socket()) {
      byte[] body = "{\"model\":\"big\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}"
          .getBytes(StandardCharsets.UTF_8);
      socket.setReceiveBufferSize(16 * 1024);
      socket.connect(new InetSocketAddress("127.0.0.1", g.port()), 5_000);
      OutputStream out = socket.getOutputStream();
      out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer bp-test\r\n"
          + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] head = in.readNBytes(12);
      assertThat(new String(head, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200");
      // From here on the client reads nothing.

      // Without back-pressure the gateway would swallow all 30 MB and the upstream would finish in well
      // under a second. With it, the upstream is stuck on a full socket.
      assertThatThrownBy(() -> firehose.finished.get(3, TimeUnit.SECONDS)).isInstanceOf(TimeoutException.class);

      socket.close(); // hang up: the gateway cancels the upstream exchange
      int sentWhenCancelled = firehose.clientLeft.get(10, TimeUnit.SECONDS);
      assertThat(sentWhenCancelled).isLessThan(EVENTS / 2);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
