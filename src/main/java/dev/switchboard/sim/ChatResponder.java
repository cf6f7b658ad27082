package dev.switchboard.sim;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.util.List;

/**
 * Sends a planned chat answer with the deployment's pacing: the head after the time to first token, then one token
 * per choice every {@code 1/tokensPerSecond}. Without pacing ({@code tokensPerSecond <= 0}) the whole stream goes out
 * in one write, still as separate SSE events. Runs on the exchange's event loop.
 */
final class ChatResponder {
  private final Exchange ex;
  private final HttpServerResponse response;
  private final ChatRequest request;
  private final List<ChatAnswer.Choice> choices;
  private final ChatWire wire;
  private final int steps;
  private final int completionTokens;
  private final double tokensPerSecond;
  private Pacer pacer;
  private int step;
  private int chunksSent;

  private ChatResponder(Exchange ex, ChatRequest request, List<ChatAnswer.Choice> choices) {
    this.ex = ex;
    this.response = ex.response;
    this.request = request;
    this.choices = choices;
    SimContext ctx = ex.deployment.context();
    this.wire = new ChatWire(Wire.id("chatcmpl-"), ctx.clock().instant().getEpochSecond(), request.model(),
        request.includeUsage());
    int maxPieces = 0;
    int tokens = 0;
    for (ChatAnswer.Choice c : choices) {
      maxPieces = Math.max(maxPieces, c.pieces().size());
      tokens += c.tokens();
    }
    this.steps = maxPieces;
    this.completionTokens = tokens;
    this.tokensPerSecond = ex.deployment.spec().tokensPerSecond();
  }

  static void answer(Exchange ex, ChatRequest request) {
    ex.promptTokens = request.promptTokens();
    new ChatResponder(ex, request, ChatAnswer.plan(request, ex.deployment.spec())).start();
  }

  private void start() {
    long head = ex.deployment.spec().timeToFirstToken().toMillis() + ex.extraDelayMillis;
    if (request.stream()) {
      ex.after(head, this::beginStream);
    } else {
      ex.after(head + Pacer.millisFor(steps, tokensPerSecond),
          () -> ex.sendJson(wire.completion(choices, request.promptTokens()), completionTokens));
    }
  }

  private void beginStream() {
    response.setChunked(true)
        .putHeader("content-type", "text/event-stream; charset=utf-8")
        .putHeader("cache-control", "no-cache");
    Buffer out = Buffer.buffer(256 * (choices.size() + 1));
    for (ChatAnswer.Choice c : choices) wire.role(out, c);
    if (tokensPerSecond > 0) pacer = new Pacer(ex.deployment.context().ticker().read(), tokensPerSecond);
    emit(out);
  }

  private void tick() {
    if (!ex.finished()) emit(Buffer.buffer(256));
  }

  /** Appends every step that is due to {@code out}, writes it, and schedules the next step or ends the stream. */
  private void emit(Buffer out) {
    Ticker ticker = ex.deployment.context().ticker();
    long due = pacer == null ? Long.MAX_VALUE : pacer.dueSteps(ticker.read());
    while (step < steps && step < due) {
      for (ChatAnswer.Choice c : choices) {
        if (step >= c.pieces().size()) continue;
        if (ex.cut != null && chunksSent >= ex.cut.afterTokens()) {
          cut(out);
          return;
        }
        Tokens.Piece p = c.pieces().get(step);
        wire.piece(out, c, p.text());
        ex.sentTokens += p.tokens();
        chunksSent++;
      }
      step++;
    }
    if (step < steps) {
      response.write(out);
      if (response.writeQueueFull()) {
        // The client reads slower than we generate: wait for the socket to drain, then catch up with the clock.
        response.drainHandler(v -> tick());
      } else {
        ex.after(pacer.millisUntil(step, ticker.read()), this::tick);
      }
      return;
    }
    if (ex.cut != null) { // the answer was shorter than after_tokens: cut before the finish events
      cut(out);
      return;
    }
    for (ChatAnswer.Choice c : choices) wire.finish(out, c);
    if (request.includeUsage()) wire.usage(out, request.promptTokens(), completionTokens);
    ChatWire.done(out);
    ex.finish("completed");
    response.end(out);
  }

  private void cut(Buffer out) {
    ex.finish("cut");
    // Reset only once the chunks before the cut are on the wire, so the client sees exactly after_tokens chunks.
    response.write(out).onComplete(ar -> ex.resetConnection());
  }
}
