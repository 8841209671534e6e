package io.seabed.nfs;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.Grizzly;
import org.glassfish.grizzly.attributes.Attribute;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;

/**
 * Limits in front of oncrpc4j's record parser, which would otherwise gather a record of any announced size: it
 * follows the record marking (RFC 5531 §11) of each connection's bytes as they arrive, without copying them, and
 * closes a connection whose record grows past {@code maxRecordBytes}; it closes connections past {@code
 * maxConnections} at accept.
 */
final class RecordLimitFilter extends BaseFilter {
    private static final Attribute<Marking> MARKING =
            Grizzly.DEFAULT_ATTRIBUTE_BUILDER.createAttribute(RecordLimitFilter.class.getName() + ".marking");

    /** Where a connection is in its record marking. */
    private static final class Marking {
        long fragmentLeft;
        int headerBytes;
        int header;
        boolean last;
        long recordBytes;
    }

    private final int maxRecordBytes;
    private final int maxConnections;
    private final AtomicInteger connections = new AtomicInteger();
    final AtomicLong refused = new AtomicLong();

    RecordLimitFilter(int maxRecordBytes, int maxConnections) {
        this.maxRecordBytes = maxRecordBytes;
        this.maxConnections = maxConnections;
    }

    @Override
    public NextAction handleAccept(FilterChainContext ctx) throws IOException {
        if (connections.incrementAndGet() > maxConnections) {
            refused.incrementAndGet();
            ctx.getConnection().closeSilently();
            return ctx.getStopAction();
        }
        return ctx.getInvokeAction();
    }

    @Override
    public NextAction handleClose(FilterChainContext ctx) throws IOException {
        connections.decrementAndGet();
        return ctx.getInvokeAction();
    }

    @Override
    public NextAction handleRead(FilterChainContext ctx) throws IOException {
        Connection<?> connection = ctx.getConnection();
        Marking m = MARKING.get(connection);
        if (m == null) {
            m = new Marking();
            MARKING.set(connection, m);
        }
        Buffer b = ctx.getMessage();
        int at = b.position();
        int end = b.limit();
        while (at < end) {
            if (m.fragmentLeft == 0) {
                // A fragment header: 4 bytes, perhaps split over reads.
                while (m.headerBytes < 4 && at < end) {
                    m.header = (m.header << 8) | (b.get(at++) & 0xFF);
                    m.headerBytes++;
                }
                if (m.headerBytes < 4) break;
                m.headerBytes = 0;
                m.last = (m.header & 0x80000000) != 0;
                m.fragmentLeft = m.header & 0x7FFFFFFFL;
                m.recordBytes += m.fragmentLeft;
                if (m.recordBytes > maxRecordBytes) {
                    refused.incrementAndGet();
                    connection.closeSilently();
                    return ctx.getStopAction();
                }
                if (m.fragmentLeft == 0 && m.last) m.recordBytes = 0;
                continue;
            }
            long step = Math.min(m.fragmentLeft, end - at);
            at += (int) step;
            m.fragmentLeft -= step;
            if (m.fragmentLeft == 0 && m.last) m.recordBytes = 0;
        }
        return ctx.getInvokeAction();
    }
}
