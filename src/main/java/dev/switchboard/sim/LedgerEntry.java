package dev.switchboard.sim;

/**
 * What one inference request to the simulator cost and how it ended.
 *
 * @param seq position in the ledger, from 1, in the order requests finished
 * @param requestId the request's {@code x-request-id} header if it sent one, else the id the simulator answered with
 *     ({@code x-request-id} on OpenAI routes, {@code request-id} on Anthropic ones, the body's {@code responseId} on
 *     Gemini ones, {@code x-amzn-RequestId} on Bedrock ones)
 * @param deployment deployment name
 * @param region deployment region
 * @param model requested model, {@code ""} when the request had none
 * @param endpoint {@code "chat"}, {@code "embeddings"} (OpenAI), {@code "messages"} (Anthropic),
 *     {@code "generateContent"} (Gemini, streamed or not), {@code "converse"} or {@code "invoke"} (Bedrock)
 * @param stream whether the request asked for a stream
 * @param promptTokens prompt tokens as reported in {@code usage} ({@code prompt_tokens}, Anthropic
 *     {@code input_tokens}, Gemini {@code promptTokenCount}, Bedrock {@code inputTokens}) but without those read
 *     from or written to the prompt cache (Anthropic's {@code input_tokens} and Bedrock's {@code inputTokens} exclude
 *     them too, OpenAI's {@code prompt_tokens} would include them); without cache markers (always on OpenAI and
 *     Gemini) all the prompt tokens; 0 if the request was rejected before parsing
 * @param completionTokens completion tokens whose text was written to the client: all of them for a completed
 *     request, the chunks sent so far for a cancelled or cut stream, 0 for a non-streamed answer that never arrived;
 *     Gemini's thinking tokens count as written with the stream's head (billed whether shown or not), and a Gemini
 *     call cut short by the token limit, which is never sent, counts as generated
 * @param cacheReadTokens prompt tokens read from the deployment's prompt cache (Anthropic
 *     {@code cache_read_input_tokens}); 0 without cache markers
 * @param cacheWriteTokens prompt tokens written to the deployment's prompt cache (Anthropic
 *     {@code cache_creation_input_tokens}); 0 without cache markers
 * @param outcome {@code completed}, {@code cancelled} (the client went away), {@code cut} (CUT fault),
 *     {@code fault:<kind>} (STATUS or RESET fault, e.g. {@code fault:status}) or {@code error:<status>} (the request
 *     was invalid, e.g. {@code error:404})
 */
public record LedgerEntry(long seq, String requestId, String deployment, String region, String model, String endpoint,
    boolean stream, int promptTokens, int completionTokens, int cacheReadTokens, int cacheWriteTokens,
    String outcome) {}
