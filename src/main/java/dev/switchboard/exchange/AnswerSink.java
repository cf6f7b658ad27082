package dev.switchboard.exchange;

import dev.switchboard.canonical.ChatResponse;
import dev.switchboard.canonical.StreamEvent;

/**
 * Receives a translated answer in canonical form, to encode it in the client's protocol. The client's front
 * door implements it; a provider that had to translate calls it, on the exchange's event loop.
 *
 * <p>Ending: {@link #answer} ends the exchange, and so do a {@link StreamEvent.MessageStop} or a
 * {@link StreamEvent.Failure} passed to {@link #event}. Errors before anything reached the client are not
 * the sink's: the provider fails the {@link Exchange} itself, in the client's error format.
 */
public interface AnswerSink {

  /** A whole (non-streamed) answer. Terminal. */
  void answer(ChatResponse response);

  /**
   * The next event of a streamed answer. Returns false when the client cannot take more for now: the caller
   * then pauses its upstream until the sink calls the {@link #onDrain} action.
   */
  boolean event(StreamEvent event);

  /** What to run when the client can take more again after {@link #event} returned false. */
  void onDrain(Runnable resume);
}
