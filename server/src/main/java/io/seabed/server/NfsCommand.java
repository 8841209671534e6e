package io.seabed.server;

import picocli.CommandLine.Command;

/**
 * {@code seabed nfs}: the NFS front alone — {@code seabed server} with S3 and the console off. With {@code --meta}
 * and {@code --managers} it is one more gateway of a cluster: file handles are keyed by the cluster's key in
 * meta-kv, so a client may move between gateways.
 */
@Command(
        name = "nfs",
        mixinStandardHelpOptions = true,
        description = "Run the NFSv3 front alone (no S3, no console); its storage and metadata options are those of"
                + " seabed server.")
final class NfsCommand extends ServerCommand {
    @Override
    public Integer call() throws Exception {
        s3 = "off";
        console = "off";
        return super.call();
    }
}
