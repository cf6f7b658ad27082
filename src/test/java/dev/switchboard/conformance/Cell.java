package dev.switchboard.conformance;

/**
 * One backend as a matrix cell sees it.
 *
 * @param backend the backend protocol's name, as in the table
 * @param model the logical model served by that backend
 * @param faultyModel a logical model on the same protocol whose upstream deployment {@link #throttleNext} affects
 * @param throttleNext makes that deployment answer its next request with a 429
 * @param carriesCacheMarkers whether the backend's protocol has prompt-cache markers (Anthropic, Bedrock)
 */
record Cell(String backend, String model, String faultyModel, Runnable throttleNext, boolean carriesCacheMarkers) {}
