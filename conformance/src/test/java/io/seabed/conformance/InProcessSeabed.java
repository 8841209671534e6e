package io.seabed.conformance;

import io.seabed.server.SeabedServer;
import io.seabed.server.ServerConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/** A Seabed server in this JVM on ephemeral ports and a temp directory, with clients configured for it. */
final class InProcessSeabed implements AutoCloseable {
    static final String ACCESS_KEY = "SEABEDTESTACCESSKEY1";
    static final String SECRET_KEY = "seabed-test-secret-key-0123456789abcdefgh";

    final Path data;
    final SeabedServer server;
    final URI endpoint;

    InProcessSeabed() {
        try {
            data = Files.createTempDirectory("seabed-it");
            server = SeabedServer.start(
                    ServerConfig.ephemeral(data, ACCESS_KEY, SECRET_KEY),
                    new PrintStream(PrintStream.nullOutputStream()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        endpoint = URI.create("http://127.0.0.1:" + server.s3Port());
    }

    static StaticCredentialsProvider credentials(String accessKey, String secretKey) {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey));
    }

    /** The SDK's default client (default checksums, chunked encoding), path-style, pointed at this server. */
    S3Client client() {
        return client(ACCESS_KEY, SECRET_KEY);
    }

    S3Client client(String accessKey, String secretKey) {
        return S3Client.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .credentialsProvider(credentials(accessKey, secretKey))
                .forcePathStyle(true)
                .build();
    }

    S3AsyncClient asyncClient() {
        return S3AsyncClient.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .credentialsProvider(credentials(ACCESS_KEY, SECRET_KEY))
                .forcePathStyle(true)
                .build();
    }

    S3Presigner presigner() {
        return S3Presigner.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .credentialsProvider(credentials(ACCESS_KEY, SECRET_KEY))
                .serviceConfiguration(
                        S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .build();
    }

    @Override
    public void close() {
        server.close();
        TestFiles.deleteTree(data);
    }
}
