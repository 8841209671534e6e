package io.seabed.server;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.seabed.server.admin.AdminApi;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.TimeUnit;

/**
 * The console port: for now a placeholder page (the web console comes with its own issue), the
 * Prometheus scrape endpoint {@code /metrics}, and the admin API under {@code /admin/v1/}.
 */
final class ConsoleServer implements AutoCloseable {
    private static final String PAGE = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>Seabed</title></head>
            <body><h1>Seabed</h1>
            <p>The web console is not built yet. The S3 endpoint serves aws-cli, boto3 and the AWS SDKs;
            metrics are at <a href="/metrics">/metrics</a>.</p></body></html>
            """;

    private final Vertx vertx;
    private final PrometheusMeterRegistry metrics;
    private final AdminApi admin;
    private HttpServer server;

    ConsoleServer(Vertx vertx, PrometheusMeterRegistry metrics, AdminApi admin) {
        this.vertx = vertx;
        this.metrics = metrics;
        this.admin = admin;
    }

    int listen(String host, int port) {
        try {
            server = vertx.createHttpServer(
                            new HttpServerOptions().setHost(host).setPort(port).setTcpNoDelay(true))
                    .requestHandler(this::onRequest)
                    .listen()
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            throw new IllegalStateException("console cannot listen on " + host + ":" + port, e);
        }
        return server.actualPort();
    }

    private void onRequest(HttpServerRequest request) {
        var response = request.response();
        if (request.path().startsWith(AdminApi.PREFIX)) {
            admin.handle(request);
            return;
        }
        switch (request.path()) {
            case "/metrics" -> {
                // Scraping formats a few hundred meters: cheap enough for the event loop.
                response.putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                        .end(metrics.scrape());
            }
            case "/" ->
                response.putHeader("Content-Type", "text/html; charset=utf-8").end(PAGE);
            default -> response.setStatusCode(404).end("not found\n");
        }
    }

    @Override
    public void close() throws Exception {
        if (server != null)
            server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
