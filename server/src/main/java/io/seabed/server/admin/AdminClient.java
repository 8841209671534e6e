package io.seabed.server.admin;

import io.seabed.s3.auth.SigV4Signer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;

/** Calls the admin API, signing each request with SigV4. */
public final class AdminClient {
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final URI endpoint;
    private final SigV4Signer signer;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT)
            .build();

    public AdminClient(URI endpoint, String accessKey, String secretKey) {
        this.endpoint = endpoint;
        this.signer = new SigV4Signer(accessKey, secretKey, "us-east-1", InstantSource.system());
    }

    /** An answer: HTTP status and JSON body. */
    public record Answer(int status, JsonObject body) {
        public boolean ok() {
            return status / 100 == 2;
        }
    }

    /**
     * @param rawPath under {@link AdminApi#PREFIX}, already percent-encoded
     * @param body a JSON body, or null
     */
    public Answer call(String method, String rawPath, String rawQuery, JsonObject body)
            throws IOException, InterruptedException {
        byte[] bytes = body == null ? new byte[0] : body.encode().getBytes(StandardCharsets.UTF_8);
        String host = endpoint.getAuthority();
        String path = AdminApi.PREFIX + rawPath;
        var signed = signer.sign(method, host, path, rawQuery, Map.of(), AdminApi.sha256Hex(bytes));
        URI uri = URI.create(endpoint.getScheme() + "://" + host + path + (rawQuery.isEmpty() ? "" : "?" + rawQuery));
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(TIMEOUT)
                .method(method, HttpRequest.BodyPublishers.ofByteArray(bytes))
                .header("Content-Type", "application/json");
        signed.headers().forEach(request::header);
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        JsonObject json;
        try {
            json = response.body().isEmpty() ? new JsonObject() : new JsonObject(response.body());
        } catch (RuntimeException e) {
            json = new JsonObject().put("error", "NotJSON").put("message", response.body());
        }
        return new Answer(response.statusCode(), json);
    }
}
