package dev.switchboard.canonical;

/** Who speaks a message. The system prompt is not a message (see {@link ChatRequest#system()}). */
public enum Role { USER, ASSISTANT }
