package dev.switchboard.frontdoor;

import dev.switchboard.canonical.ChatRequest;
import dev.switchboard.canonical.Message;
import dev.switchboard.canonical.Part;
import dev.switchboard.canonical.Role;
import dev.switchboard.canonical.StreamEvent;
import dev.switchboard.canonical.Usage;
import dev.switchboard.exchange.AnswerSink;
import dev.switchboard.exchange.Exchange;
import dev.switchboard.provider.ChatBackend;
import dev.switchboard.routing.Router;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps one client stream whole across upstream attempts, for models with {@code continue_streams}: it passes the
 * first attempt's events to the client's sink and remembers what they sent; when that stream breaks after text
 * reached the client, {@link #resume} says whether it can be continued, {@link #request} gives the request that
 * continues it (the text sent as a final assistant message, a prefill), and the continuation's events are spliced
 * in: no second message start, the continued text block keeps its index, later blocks are numbered after the ones
 * sent, and the final usage counts the output of every attempt.
 *
 * <p>Only a stream that has sent nothing but text can be continued: a tool call or a reasoning block cannot be
 * resumed half-way by any upstream, and a stream whose stop was sent has nothing left to continue.
 *
 * <p>One per exchange, confined to its event loop, reused by every attempt.
 */
public final class StreamSplice implements AnswerSink, Router.Resumable {
  private final AnswerSink client;

  // What reached the client, over all attempts.
  private boolean started;
  private boolean onlyText = true;
  private boolean stopped;
  private int nextIndex;
  /** The client's index of the text block left open by a broken attempt, or -1. */
  private int openText = -1;
  private final StringBuilder text = new StringBuilder();
  private long carriedOutput;
  private boolean carriedEstimated;

  // The attempt in flight.
  private boolean continuing;
  private final Map<Integer, Integer> indices = new HashMap<>();
  private boolean firstBlockSeen;
  /** Whitespace cut from the end of the prefill, which the continuation may repeat at its start. */
  private String cutWhitespace = "";
  private int attemptTextStart;

  /** @param client the client's own sink, which encodes the events in its protocol */
  public StreamSplice(AnswerSink client) {
    this.client = client;
  }

  /**
   * Sends one attempt of {@code request} to {@code backend}: as it is to {@code sink} when {@code splice} is null,
   * else through the splice, as a continuation when the attempt continues a broken stream.
   */
  public static void send(ChatBackend backend, Exchange exchange, ChatRequest request, String upstreamModel,
      AnswerSink sink, StreamSplice splice, List<String> dropped) {
    if (splice == null) backend.chat(exchange, request, upstreamModel, sink, dropped);
    else if (splice.continuing) backend.continueChat(exchange, splice.request(request), upstreamModel, splice, dropped);
    else backend.chat(exchange, splice.request(request), upstreamModel, splice, dropped);
  }

  /**
   * The request for the attempt about to be sent: {@code original}, or for a continuation, {@code original} with the
   * text the client already has as a final assistant message. Trailing whitespace is left out of that message,
   * since Anthropic refuses a final assistant message ending in whitespace; the continuation usually repeats it, and
   * the repeat is dropped.
   */
  ChatRequest request(ChatRequest original) {
    if (!continuing) {
      reset();
      return original;
    }
    String sent = text.toString().stripTrailing();
    cutWhitespace = text.substring(sent.length());
    if (sent.isEmpty()) return original;
    List<Message> messages = new ArrayList<>(original.messages());
    messages.add(new Message(Role.ASSISTANT, List.of(Part.Text.of(sent))));
    return new ChatRequest(original.model(), original.system(), messages, original.tools(), original.toolChoice(),
        original.parallelToolCalls(), original.sampling(), original.maxOutputTokens(), original.stopSequences(),
        original.outputFormat(), original.reasoning(), original.metadata(), original.user(), original.stream(),
        original.choices());
  }

  /** A fresh attempt before anything reached the client (a plain retry): nothing to splice. */
  private void reset() {
    started = false;
    onlyText = true;
    stopped = false;
    nextIndex = 0;
    openText = -1;
    text.setLength(0);
    carriedOutput = 0;
    carriedEstimated = false;
    beginAttempt();
  }

  private void beginAttempt() {
    indices.clear();
    firstBlockSeen = false;
    attemptTextStart = text.length();
  }

  @Override
  public boolean resume() {
    if (!started || !onlyText || stopped) return false;
    // The broken attempt's output is paid for too. Its upstream never said how much: output usage comes with the
    // stop, and a stream whose stop arrived is not continued. So it is estimated from the text it sent.
    if (text.length() > attemptTextStart) {
      carriedOutput += estimateTokens(text.length() - attemptTextStart);
      carriedEstimated = true;
    }
    continuing = true;
    beginAttempt();
    return true;
  }

  /** About four characters a token: the usual rough estimate for English text. */
  private static long estimateTokens(int chars) {
    return Math.max(1, (chars + 3) / 4);
  }

  @Override
  public void answer(dev.switchboard.canonical.ChatResponse response) {
    client.answer(response);
  }

  @Override
  public boolean event(StreamEvent event) {
    if (!continuing || event instanceof StreamEvent.Failure) return pass(event);
    return switch (event) {
      case StreamEvent.MessageStart s -> true; // the client's message began with the first attempt
      case StreamEvent.BlockStart b -> startBlock(b);
      case StreamEvent.TextDelta t -> continueText(t);
      case StreamEvent.ToolArgumentsDelta a -> pass(new StreamEvent.ToolArgumentsDelta(index(a.index()), a.json()));
      case StreamEvent.ReasoningDelta r -> pass(new StreamEvent.ReasoningDelta(index(r.index()), r.text()));
      case StreamEvent.SignatureDelta s -> pass(new StreamEvent.SignatureDelta(index(s.index()), s.signature()));
      case StreamEvent.BlockStop b -> pass(new StreamEvent.BlockStop(index(b.index())));
      case StreamEvent.MessageDelta d -> {
        boolean more = closeOpenText();
        Usage u = d.usage();
        Usage all = u == null ? null : new Usage(u.inputTokens(), u.outputTokens() + carriedOutput,
            u.cacheReadTokens(), u.cacheWriteTokens(), u.reasoningTokens(), u.estimated() || carriedEstimated);
        yield pass(new StreamEvent.MessageDelta(d.stopReason(), d.stopSequence(), all)) && more;
      }
      default -> pass(event);
    };
  }

  /** The continuation's first text block is the client's open one; any other block is numbered after those sent. */
  private boolean startBlock(StreamEvent.BlockStart b) {
    boolean first = !firstBlockSeen;
    firstBlockSeen = true;
    if (first && b.kind() == StreamEvent.BlockKind.TEXT && openText >= 0) {
      indices.put(b.index(), openText);
      return true;
    }
    boolean more = closeOpenText();
    int mine = nextIndex;
    indices.put(b.index(), mine);
    return pass(new StreamEvent.BlockStart(mine, b.kind(), b.toolCallId(), b.toolName())) && more;
  }

  private boolean continueText(StreamEvent.TextDelta t) {
    String s = t.text();
    int into = index(t.index());
    if (into == openText && !cutWhitespace.isEmpty()) {
      // The client has the cut whitespace already: a repeat of it is dropped, anything else is kept.
      int same = 0;
      while (same < s.length() && same < cutWhitespace.length() && s.charAt(same) == cutWhitespace.charAt(same)) {
        same++;
      }
      if (same == s.length()) {
        cutWhitespace = cutWhitespace.substring(same);
        return true;
      }
      s = s.substring(same);
      cutWhitespace = "";
    }
    return pass(new StreamEvent.TextDelta(into, s));
  }

  /** Ends the text block a broken attempt left open, when the continuation does not carry on in it. */
  private boolean closeOpenText() {
    if (openText < 0) return true;
    return pass(new StreamEvent.BlockStop(openText));
  }

  private int index(int attemptIndex) {
    Integer mine = indices.get(attemptIndex);
    return mine != null ? mine : attemptIndex;
  }

  /** Hands an event to the client and remembers what it sent. */
  private boolean pass(StreamEvent event) {
    switch (event) {
      case StreamEvent.MessageStart s -> started = true;
      case StreamEvent.BlockStart b -> {
        if (b.kind() == StreamEvent.BlockKind.TEXT) openText = b.index();
        else onlyText = false;
        nextIndex = Math.max(nextIndex, b.index() + 1);
      }
      case StreamEvent.TextDelta t -> text.append(t.text());
      case StreamEvent.ToolArgumentsDelta a -> onlyText = false;
      case StreamEvent.ReasoningDelta r -> onlyText = false;
      case StreamEvent.BlockStop b -> {
        if (b.index() == openText) openText = -1;
      }
      case StreamEvent.MessageDelta d -> stopped = true;
      default -> { }
    }
    return client.event(event);
  }

  @Override
  public void onDrain(Runnable resume) {
    client.onDrain(resume);
  }
}
