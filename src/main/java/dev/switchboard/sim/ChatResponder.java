package dev.switchboard.sim;

import dev.switchboard.util.Ticker;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.util.List;

/**
 * Sends a planned chat answer with the deployment's pacing: the head after the time to first token, then one token
 * per choice every {@code 1/tokensPerSecond}. Without pacing ({@code tokensPerSecond <= 0}) the whole stream goes out
 * in one write, still as separate events. The bytes come from an {@link AnswerWire}, so OpenAI chat completions,
 * Anthropic messages, Gemini generation and Bedrock's converse and invoke share the planning, pacing, cuts and ledger
 * accounting. Runs on the exchange's event loop.
 */
final class ChatResponder {
  private final Exchange ex;
  private final HttpServerResponse response;
  private final ChatRequest request;
  private final List<ChatAnswer.Choice> choices;
  private final AnswerWire wire;
  private final int steps;
  private final int completionTokens;
  private final double tokensPerSecond;
  private Pacer pacer;
  private int step;
  private int chunksSent;

  private ChatResponder(Exchange ex, ChatRequest request, List<ChatAnswer.Choice> choices, AnswerWire wire) {
    this.ex = ex;
    this.response = ex.response;
    this.request = request;
    this.choices = choices;
    this.wire = wire;
    int maxPieces = 0;
    int tokens = 0;
    for (ChatAnswer.Choice c : choices) {
      maxPieces = Math.max(maxPieces, c.pieces().size());
      tokens += c.tokens();
    }
    this.steps = maxPieces;
    this.completionTokens = tokens + wire.extraTokens();
    this.tokensPerSecond = ex.deployment.spec().tokensPerSecond();
  }

  /** Answers an OpenAI chat completion request. */
  static void answer(Exchange ex, ChatRequest request) {
    SimContext ctx = ex.deployment.context();
    long created = ctx.clock().instant().getEpochSecond();
    answer(ex, request, (r, choices, prompt) ->
        new ChatWire(Wire.id("chatcmpl-"), created, r.model(), r.includeUsage()).answer(choices, prompt));
  }

  /**
   * Plans the answer to {@code request}, reads or writes its cache prefix in the deployment's prompt cache, and sends
   * the answer in the format {@code wires} makes.
   */
  static void answer(Exchange ex, ChatRequest request, AnswerWire.Factory wires) {
    List<ChatAnswer.Choice> choices = ChatAnswer.plan(request, ex.deployment.spec());
    answer(ex, request, choices, wires);
  }

  /**
   * Sends {@code choices}, already planned for {@code request} (a protocol may have reshaped them), in the format
   * {@code wires} makes, after reading or writing the request's cache prefix in the deployment's prompt cache.
   */
  static void answer(Exchange ex, ChatRequest request, List<ChatAnswer.Choice> choices, AnswerWire.Factory wires) {
    PromptUsage prompt = ex.deployment.promptCache().use(request.promptTokens(), request.cachePrefix());
    ex.promptTokens = prompt.inputTokens();
    ex.cacheReadTokens = prompt.cacheReadTokens();
    ex.cacheWriteTokens = prompt.cacheWriteTokens();
    new ChatResponder(ex, request, choices, wires.create(request, choices, prompt)).start();
  }

  private void start() {
    long head = ex.deployment.spec().timeToFirstToken().toMillis() + ex.extraDelayMillis;
    if (request.stream()) {
      ex.after(head, this::beginStream);
    } else {
      ex.after(head + Pacer.millisFor(steps, tokensPerSecond), () -> {
        wire.headers(response, false);
        ex.sendJson(wire.body(), completionTokens);
      });
    }
  }

  private void beginStream() {
    response.setChunked(true);
    wire.headers(response, true);
    Buffer out = Buffer.buffer(256 * (choices.size() + 1));
    wire.head(out);
    ex.sentTokens += wire.extraTokens();
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
        int block = c.blockAt(step);
        if (block > 0 && c.toolCalls().get(block).firstPiece() == step) wire.nextBlock(out, c, block);
        wire.piece(out, c, block, p.text());
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
    wire.tail(out);
    ex.finish("completed");
    response.end(out);
  }

  private void cut(Buffer out) {
    ex.finish("cut");
    if (wire.breakOff(out)) { // the protocol says so in-band, and the stream ends cleanly after it
      response.end(out);
      return;
    }
    // Reset only once the chunks before the cut are on the wire, so the client sees exactly after_tokens chunks.
    response.write(out).onComplete(ar -> ex.resetConnection());
  }
}
