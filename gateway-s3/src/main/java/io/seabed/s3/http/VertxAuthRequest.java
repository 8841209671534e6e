package io.seabed.s3.http;

import io.seabed.s3.auth.AuthRequest;
import io.vertx.core.http.HttpServerRequest;
import java.time.InstantSource;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** A Vert.x request as the signature verifiers see it (HTTP/2's :authority stands in for Host). */
public record VertxAuthRequest(HttpServerRequest http, InstantSource clock) implements AuthRequest {
    @Override
    public String method() {
        return http.method().name();
    }

    @Override
    public String rawPath() {
        return http.path();
    }

    @Override
    public String rawQuery() {
        return http.query() == null ? "" : http.query();
    }

    @Override
    public List<String> headers(String name) {
        List<String> values = http.headers().getAll(name);
        if (values.isEmpty() && name.equalsIgnoreCase("host") && http.authority() != null)
            return List.of(http.authority().toString());
        return values;
    }

    @Override
    public Set<String> headerNames() {
        Set<String> names = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        names.addAll(http.headers().names());
        return names;
    }
}
