package dev.switchboard.codec.openai;

import dev.switchboard.canonical.StreamEvent;
import dev.switchboard.canonical.StreamEvent.BlockKind;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Turns OpenAI's streamed deltas, which may interleave (text, reasoning and several tool calls, each addressed
 * by its own field or {@code index}), into canonical blocks, which may not overlap: one block is open at a time.
 *
 * <p>Text and reasoning can always be closed: if more arrives later, it opens a new block. A tool call cannot be
 * split, so while one is open, deltas for another wait in a buffer; the open call closes once its arguments form
 * a complete JSON object (after that a well-formed upstream sends nothing more for it), and the waiting blocks
 * then start in the order they first appeared. OpenAI itself sends calls one after the other, so in practice
 * every block streams as it arrives; a server that truly interleaves gets each later call delayed until the
 * earlier one is complete, but every fragment reaches the right block.
 *
 * <p>Not thread-safe: one per stream.
 */
final class BlockSequencer {

  /** Thrown when the upstream sends arguments for a tool call whose block had already been closed. */
  static final class LateFragment extends RuntimeException {
    LateFragment(String message) {
      super(message, null, false, false);
    }
  }

  private static final class Channel {
    final BlockKind kind;
    String toolCallId;
    String toolName;
    int block = -1;
    boolean stopped;
    boolean queued;
    /** No more deltas can reach it (its tool index was reused for another call). */
    boolean ended;
    StringBuilder pending;
    final JsonText.EndTracker json;

    Channel(BlockKind kind) {
      this.kind = kind;
      this.json = kind == BlockKind.TOOL_CALL ? new JsonText.EndTracker() : null;
    }

    boolean closable() {
      return kind != BlockKind.TOOL_CALL || ended || json.complete();
    }
  }

  private final Consumer<StreamEvent> out;
  private final ArrayDeque<Channel> waiting = new ArrayDeque<>();
  private final Map<Integer, Channel> tools = new HashMap<>();
  private Channel live;
  private Channel text;
  private Channel reasoning;
  private int nextBlock;
  private boolean sawToolCall;

  BlockSequencer(Consumer<StreamEvent> out) {
    this.out = out;
  }

  boolean sawToolCall() {
    return sawToolCall;
  }

  void text(String s) {
    if (text == null || text.stopped) text = new Channel(BlockKind.TEXT);
    deliver(text, s);
  }

  void reasoning(String s) {
    if (reasoning == null || reasoning.stopped) reasoning = new Channel(BlockKind.REASONING);
    deliver(reasoning, s);
  }

  /**
   * A tool-call delta. {@code id} and {@code name} come with a call's first delta; later ones carry only
   * {@code index} and a fragment of the arguments.
   */
  void tool(int index, String id, String name, String arguments) {
    sawToolCall = true;
    Channel ch = tools.get(index);
    if (ch != null && id != null && ch.toolCallId != null && !id.equals(ch.toolCallId)) {
      // A server that numbers every call 0: a new id under a used index is a new call.
      ch.ended = true;
      if (ch == live) promote();
      ch = null;
    }
    if (ch == null) {
      ch = new Channel(BlockKind.TOOL_CALL);
      tools.put(index, ch);
    }
    if (ch.block < 0) {
      if (ch.toolCallId == null) ch.toolCallId = id;
      if (ch.toolName == null) ch.toolName = name;
    }
    if (ch.stopped) {
      if (arguments == null || arguments.isBlank()) return;
      throw new LateFragment("the upstream sent more arguments for tool call " + index + " ('" + ch.toolName
          + "') after they formed a complete JSON object");
    }
    deliver(ch, arguments == null ? "" : arguments);
  }

  /** Closes the open block and starts and closes every waiting one: the choice is finished. */
  void closeAll() {
    closeLive();
    while (!waiting.isEmpty()) {
      Channel ch = waiting.poll();
      ch.queued = false;
      start(ch);
      closeLive();
    }
    for (Channel ch : tools.values()) ch.ended = true;
  }

  private void deliver(Channel ch, String s) {
    if (ch == live) {
      emit(ch, s);
      if (!waiting.isEmpty() && ch.closable()) promote();
      return;
    }
    if (ch.block < 0 && (live == null || live.closable()) && waiting.isEmpty()) {
      closeLive();
      start(ch);
      emit(ch, s);
      if (!waiting.isEmpty() && ch.closable()) promote();
      return;
    }
    if (!s.isEmpty()) (ch.pending == null ? ch.pending = new StringBuilder() : ch.pending).append(s);
    if (!ch.queued) {
      ch.queued = true;
      waiting.add(ch);
    }
  }

  /** Closes the open block and starts waiting ones, until one that cannot be closed yet is open. */
  private void promote() {
    while (!waiting.isEmpty() && (live == null || live.closable())) {
      closeLive();
      Channel ch = waiting.poll();
      ch.queued = false;
      start(ch);
    }
  }

  private void start(Channel ch) {
    ch.block = nextBlock++;
    if (ch.kind == BlockKind.TOOL_CALL) {
      if (ch.toolCallId == null) ch.toolCallId = Ids.toolCall();
      if (ch.toolName == null) ch.toolName = "";
      out.accept(new StreamEvent.BlockStart(ch.block, ch.kind, ch.toolCallId, ch.toolName));
    } else {
      out.accept(new StreamEvent.BlockStart(ch.block, ch.kind, null, null));
    }
    live = ch;
    if (ch.pending != null) {
      String s = ch.pending.toString();
      ch.pending = null;
      emit(ch, s);
    }
  }

  private void emit(Channel ch, String s) {
    if (s.isEmpty()) return;
    switch (ch.kind) {
      case TEXT -> out.accept(new StreamEvent.TextDelta(ch.block, s));
      case REASONING -> out.accept(new StreamEvent.ReasoningDelta(ch.block, s));
      case TOOL_CALL -> {
        ch.json.feed(s);
        out.accept(new StreamEvent.ToolArgumentsDelta(ch.block, s));
      }
      case REDACTED_REASONING -> throw new IllegalStateException("OpenAI streams carry no redacted reasoning");
    }
  }

  private void closeLive() {
    if (live == null) return;
    out.accept(new StreamEvent.BlockStop(live.block));
    live.stopped = true;
    live = null;
  }
}
