package io.seabed.server.admin;

import io.seabed.namespace.Namespace;
import io.seabed.namespace.NamespaceException;
import io.seabed.namespace.User;
import io.seabed.namespace.schema.TenantRecord;
import io.seabed.s3.S3Exception;
import io.seabed.s3.auth.AuthResult;
import io.seabed.s3.auth.PayloadMode;
import io.seabed.s3.auth.SigV4Verifier;
import io.seabed.s3.http.VertxAuthRequest;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operators' HTTP API under {@code /admin/v1/} on the console port: tenants and users. Requests
 * are signed with SigV4 by an admin user's key (as S3 requests are); bodies and answers are JSON.
 *
 * <pre>
 * POST   /admin/v1/tenants            {"name"}                      create a tenant
 * GET    /admin/v1/tenants                                          list tenants
 * DELETE /admin/v1/tenants/NAME                                     delete an empty tenant
 * POST   /admin/v1/users              {"tenant","user","id","displayName","email","accessKey","secretKey"}
 * GET    /admin/v1/users?tenant=NAME                                list a tenant's access keys
 * DELETE /admin/v1/users/ACCESS_KEY                                 delete an access key
 * </pre>
 */
public final class AdminApi implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);
    public static final String PREFIX = "/admin/v1/";
    static final int BODY_BYTES_MAX = 64 * 1024;
    static final int THREADS = 2;
    static final int QUEUE_MAX = 64;

    private final Namespace namespace;
    private final SigV4Verifier verifier;
    private final InstantSource clock;
    private final ThreadPoolExecutor executor;

    public AdminApi(Namespace namespace, SigV4Verifier verifier, InstantSource clock) {
        this.namespace = namespace;
        this.verifier = verifier;
        this.clock = clock;
        this.executor = new ThreadPoolExecutor(
                THREADS, THREADS, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE_MAX), r -> {
                    Thread t = new Thread(r, "admin-api");
                    t.setDaemon(true);
                    return t;
                });
    }

    /** Runs on the event loop: reads the (small) body, then answers from a worker. */
    public void handle(HttpServerRequest request) {
        Context context = Vertx.currentContext();
        String length = request.getHeader("Content-Length");
        if (length != null && (!length.matches("[0-9]{1,9}") || Integer.parseInt(length) > BODY_BYTES_MAX)) {
            reply(context, request, 413, error("EntityTooLarge", "bodies are limited to " + BODY_BYTES_MAX + " bytes"));
            return;
        }
        request.body().onComplete(ar -> {
            if (ar.failed()) {
                reply(context, request, 400, error("IncompleteBody", "the body could not be read"));
                return;
            }
            try {
                executor.execute(() -> reply(context, request, process(request, ar.result())));
            } catch (RejectedExecutionException e) {
                reply(context, request, 503, error("SlowDown", "too many admin requests in flight"));
            }
        });
    }

    private record Answer(int status, JsonObject body) {}

    private Answer process(HttpServerRequest request, Buffer body) {
        try {
            authenticate(request, body);
            return route(request, body);
        } catch (S3Exception e) {
            return new Answer(e.code().httpStatus(), error(e.code().code(), e.getMessage()));
        } catch (NamespaceException e) {
            return new Answer(status(e.reason()), error(e.reason().name(), e.getMessage()));
        } catch (DecodeException | ClassCastException e) {
            return new Answer(400, error("MalformedJSON", "the body is not the JSON object expected"));
        } catch (RuntimeException e) {
            LOG.error("admin request {} {} failed", request.method(), request.path(), e);
            return new Answer(500, error("InternalError", "internal error; see the server log"));
        }
    }

    private void authenticate(HttpServerRequest request, Buffer body) {
        AuthResult result = verifier.verify(new VertxAuthRequest(request, clock));
        if (!(result instanceof AuthResult.Authenticated a))
            throw new S3Exception(io.seabed.s3.S3ErrorCode.ACCESS_DENIED);
        if (a.payloadMode() == PayloadMode.SIGNED && !a.contentSha256Hex().equals(sha256Hex(body.getBytes())))
            throw new S3Exception(io.seabed.s3.S3ErrorCode.X_AMZ_CONTENT_SHA256_MISMATCH);
        if (a.payloadMode().streaming())
            throw new S3Exception(io.seabed.s3.S3ErrorCode.INVALID_REQUEST, "aws-chunked bodies are not accepted here");
        User user = namespace.user(a.accessKey());
        if (user == null) throw new S3Exception(io.seabed.s3.S3ErrorCode.INVALID_ACCESS_KEY_ID);
        if (!user.admin())
            throw new S3Exception(io.seabed.s3.S3ErrorCode.ACCESS_DENIED, "the admin API needs an admin key");
    }

    private Answer route(HttpServerRequest request, Buffer body) {
        String rest = request.path().substring(PREFIX.length());
        String method = request.method().name();
        int slash = rest.indexOf('/');
        String collection = slash < 0 ? rest : rest.substring(0, slash);
        String item = slash < 0 ? null : rest.substring(slash + 1);
        return switch (collection + " " + method + (item == null ? "" : " item")) {
            case "tenants POST" -> createTenant(json(body));
            case "tenants GET" -> listTenants();
            case "tenants DELETE item" -> {
                namespace.deleteTenant(item);
                yield new Answer(200, new JsonObject().put("deleted", item));
            }
            case "users POST" -> createUser(json(body));
            case "users GET" -> listUsers(request.getParam("tenant"));
            case "users DELETE item" -> {
                namespace.tenants().deleteAccessKey(item);
                yield new Answer(200, new JsonObject().put("deleted", item));
            }
            default ->
                new Answer(404, error("NoSuchResource", method + " " + request.path() + " is not an admin call"));
        };
    }

    private Answer createTenant(JsonObject in) {
        TenantRecord t = namespace.tenants().createTenant(required(in, "name"));
        return new Answer(200, new JsonObject().put("id", t.id()).put("name", t.name()));
    }

    private Answer listTenants() {
        JsonArray out = new JsonArray();
        for (TenantRecord t : namespace.tenants().tenants())
            out.add(new JsonObject().put("id", t.id()).put("name", t.name()).put("created", t.createdMillis()));
        return new Answer(200, new JsonObject().put("tenants", out));
    }

    private Answer createUser(JsonObject in) {
        String accessKey = in.getString("accessKey");
        String secretKey = in.getString("secretKey");
        if ((accessKey == null) != (secretKey == null))
            throw new NamespaceException(
                    NamespaceException.Reason.INVALID_ARGUMENT, "give both accessKey and secretKey, or neither");
        User u = namespace
                .tenants()
                .createUser(
                        required(in, "tenant"),
                        required(in, "user"),
                        accessKey,
                        secretKey,
                        in.getString("id"),
                        in.getString("displayName"),
                        in.getString("email"),
                        false);
        return new Answer(200, userJson(u).put("secretKey", u.secretKey()));
    }

    private Answer listUsers(String tenant) {
        if (tenant == null)
            throw new NamespaceException(
                    NamespaceException.Reason.INVALID_ARGUMENT, "query parameter tenant is required");
        JsonArray out = new JsonArray();
        for (User u : namespace.tenants().users(tenant)) out.add(userJson(u));
        return new Answer(200, new JsonObject().put("users", out));
    }

    private static JsonObject userJson(User u) {
        return new JsonObject()
                .put("tenant", u.tenantName())
                .put("user", u.userName())
                .put("id", u.userId())
                .put("displayName", u.displayName())
                .put("email", u.email())
                .put("accessKey", u.accessKey())
                .put("admin", u.admin());
    }

    private static JsonObject json(Buffer body) {
        if (body.length() == 0) throw new DecodeException("empty body");
        return new JsonObject(body);
    }

    private static String required(JsonObject in, String field) {
        String v = in.getString(field);
        if (v == null || v.isEmpty())
            throw new NamespaceException(NamespaceException.Reason.INVALID_ARGUMENT, "field " + field + " is required");
        return v;
    }

    static int status(NamespaceException.Reason reason) {
        return switch (reason) {
            case NO_SUCH_TENANT, NO_SUCH_USER, NO_SUCH_BUCKET, NO_SUCH_KEY, NO_SUCH_UPLOAD -> 404;
            case TENANT_EXISTS, USER_EXISTS, BUCKET_EXISTS, BUCKET_OWNED_BY_YOU, BUCKET_NOT_EMPTY -> 409;
            case BUSY, UNAVAILABLE -> 503;
            default -> 400;
        };
    }

    private static JsonObject error(String code, String message) {
        return new JsonObject().put("error", code).put("message", message);
    }

    private static void reply(Context context, HttpServerRequest request, Answer a) {
        reply(context, request, a.status(), a.body());
    }

    private static void reply(Context context, HttpServerRequest request, int status, JsonObject body) {
        context.runOnContext(v -> request.response()
                .setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .end(body.encode()));
    }

    static String sha256Hex(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) executor.shutdownNow();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            executor.shutdownNow();
        }
    }
}
