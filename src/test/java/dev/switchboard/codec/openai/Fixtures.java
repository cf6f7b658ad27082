package dev.switchboard.codec.openai;

import dev.switchboard.canonical.StreamEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Test fixtures from the class path, and the well-formedness rules of a canonical stream. */
final class Fixtures {
  private Fixtures() {}

  static String text(String name) {
    try (InputStream in = Fixtures.class.getResourceAsStream(name)) {
      if (in == null) throw new IllegalArgumentException("no fixture " + name);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Fails unless {@code events} is a well-formed canonical stream (StreamEvent's contract): MessageStart first;
   * blocks numbered from 0 in start order, each started, given deltas of its own kind and stopped, never
   * overlapping; then MessageDelta and MessageStop, or a Failure at any point, and nothing after.
   */
  static void assertWellFormed(List<StreamEvent> events) {
    List<String> problems = new ArrayList<>();
    Map<Integer, StreamEvent.BlockKind> kinds = new HashMap<>();
    Integer open = null;
    int next = 0;
    boolean delta = false;
    for (int i = 0; i < events.size(); i++) {
      StreamEvent e = events.get(i);
      boolean last = i == events.size() - 1;
      if (i == 0 && !(e instanceof StreamEvent.MessageStart) && !(e instanceof StreamEvent.Failure)) {
        problems.add("does not begin with MessageStart: " + e);
      }
      switch (e) {
        case StreamEvent.MessageStart s -> {
          if (i != 0) problems.add("MessageStart at " + i);
        }
        case StreamEvent.BlockStart b -> {
          if (open != null) problems.add("block " + b.index() + " starts while " + open + " is open");
          if (b.index() != next) problems.add("block " + b.index() + " starts, expected " + next);
          if (delta) problems.add("block after MessageDelta");
          if ((b.kind() == StreamEvent.BlockKind.TOOL_CALL) != (b.toolCallId() != null && b.toolName() != null)) {
            problems.add("block " + b.index() + " has tool fields that do not fit its kind");
          }
          kinds.put(b.index(), b.kind());
          open = b.index();
          next++;
        }
        case StreamEvent.TextDelta t -> kind(problems, open, t.index(), kinds, StreamEvent.BlockKind.TEXT);
        case StreamEvent.ReasoningDelta r -> kind(problems, open, r.index(), kinds, StreamEvent.BlockKind.REASONING);
        case StreamEvent.ToolArgumentsDelta a -> kind(problems, open, a.index(), kinds, StreamEvent.BlockKind.TOOL_CALL);
        case StreamEvent.SignatureDelta s -> {
          if (open == null || open != s.index()) problems.add("signature for a block that is not open: " + s);
        }
        case StreamEvent.BlockStop s -> {
          if (open == null || open != s.index()) problems.add("stop of a block that is not open: " + s);
          open = null;
        }
        case StreamEvent.MessageDelta d -> {
          if (open != null) problems.add("MessageDelta while block " + open + " is open");
          if (delta) problems.add("second MessageDelta");
          delta = true;
        }
        case StreamEvent.MessageStop s -> {
          if (!delta) problems.add("MessageStop without MessageDelta");
          if (!last) problems.add("events after MessageStop");
        }
        case StreamEvent.Failure f -> {
          if (!last) problems.add("events after Failure");
        }
        case StreamEvent.Ping p -> { }
      }
    }
    StreamEvent end = events.isEmpty() ? null : events.getLast();
    if (!(end instanceof StreamEvent.MessageStop) && !(end instanceof StreamEvent.Failure)) {
      problems.add("does not end with MessageStop or Failure");
    }
    if (!problems.isEmpty()) throw new AssertionError("malformed stream " + problems + ":\n" + events);
  }

  private static void kind(List<String> problems, Integer open, int index, Map<Integer, StreamEvent.BlockKind> kinds,
      StreamEvent.BlockKind expected) {
    if (open == null || open != index) problems.add("delta for block " + index + ", which is not open");
    else if (kinds.get(index) != expected) problems.add("a " + expected + " delta for a " + kinds.get(index) + " block");
  }
}
