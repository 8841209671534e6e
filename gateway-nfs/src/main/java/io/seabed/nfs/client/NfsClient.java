package io.seabed.nfs.client;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A small NFSv3 and MOUNT v3 client over one TCP connection (RFC 5531 record marking, RFC 1813 calls), one call at
 * a time. It speaks to a server serving both programs on one port (Seabed) or, with two ports, to one that does
 * not (NFS-Ganesha), so the load generator drives both the same way; the protocol tests use its raw calls to send
 * what a client should not. A status other than OK is thrown as {@link NfsStatus}; an RPC-level refusal as {@link
 * RpcRefused}.
 */
public final class NfsClient implements AutoCloseable {
    public static final int NFS_PROGRAM = 100003;
    public static final int MOUNT_PROGRAM = 100005;
    public static final int AUTH_NONE = 0;
    public static final int AUTH_SYS = 1;
    public static final int UNSTABLE = 0;
    public static final int DATA_SYNC = 1;
    public static final int FILE_SYNC = 2;
    public static final int UNCHECKED = 0;
    public static final int GUARDED = 1;
    public static final int EXCLUSIVE = 2;
    /** Replies larger than this are refused (a READ of 1 MiB and its attributes fit). */
    public static final int REPLY_BYTES_MAX = 4 << 20;

    /** A status other than NFS3_OK / MNT3_OK. */
    public static final class NfsStatus extends IOException {
        public final int status;

        NfsStatus(String call, int status) {
            super(call + ": status " + status);
            this.status = status;
        }
    }

    /** A call the server did not accept: denied (reply_stat 1) or accepted with an accept_stat other than SUCCESS. */
    public static final class RpcRefused extends IOException {
        public final boolean denied;
        /** accept_stat when accepted; reject_stat when denied. */
        public final int stat;
        /** auth_stat when denied for authentication. */
        public final int authStat;

        RpcRefused(boolean denied, int stat, int authStat) {
            super(denied ? "call denied: reject_stat " + stat + " auth_stat " + authStat : "accept_stat " + stat);
            this.denied = denied;
            this.stat = stat;
            this.authStat = authStat;
        }
    }

    /** The credential sent with each call. */
    public record Cred(int flavor, int uid, int gid, int[] gids) {
        public static Cred sys(int uid, int gid, int... gids) {
            return new Cred(AUTH_SYS, uid, gid, gids);
        }

        public static Cred none() {
            return new Cred(AUTH_NONE, 0, 0, new int[0]);
        }

        void encode(XdrWriter x) {
            x.u32(flavor);
            if (flavor == AUTH_NONE) {
                x.u32(0);
                return;
            }
            XdrWriter body = new XdrWriter()
                    .u32(0)
                    .string("seabed-client")
                    .u32(uid)
                    .u32(gid)
                    .u32(gids.length);
            for (int g : gids) body.u32(g);
            x.opaque(body.toByteArray());
        }
    }

    private final Conn nfs;
    private final Conn mount;
    private Cred cred = Cred.sys(0, 0);
    private int nextXid = ThreadLocalRandom.current().nextInt();

    /** One connection for NFS and MOUNT. */
    public NfsClient(String host, int port) throws IOException {
        this.nfs = new Conn(host, port);
        this.mount = nfs;
    }

    /** NFS and MOUNT on separate ports. */
    public NfsClient(String host, int nfsPort, int mountPort) throws IOException {
        this.nfs = new Conn(host, nfsPort);
        this.mount = mountPort == nfsPort ? nfs : new Conn(host, mountPort);
    }

    public NfsClient as(Cred cred) {
        this.cred = cred;
        return this;
    }

    public Cred cred() {
        return cred;
    }

    @Override
    public void close() throws IOException {
        try {
            nfs.close();
        } finally {
            if (mount != nfs) mount.close();
        }
    }

    // ---- raw calls ----

    private static final class Conn implements AutoCloseable {
        final Socket socket;
        final DataInputStream in;
        final OutputStream out;

        Conn(String host, int port) throws IOException {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), 10_000);
            socket.setSoTimeout(60_000);
            in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
            out = socket.getOutputStream();
        }

        void send(byte[] record) throws IOException {
            byte[] framed = new byte[record.length + 4];
            ByteBuffer.wrap(framed).putInt(0x80000000 | record.length).put(record);
            out.write(framed);
            out.flush();
        }

        /** The next whole record (all its fragments). */
        ByteBuffer receive() throws IOException {
            ByteBuffer record = ByteBuffer.allocate(0);
            boolean last = false;
            while (!last) {
                int header = in.readInt();
                last = header < 0;
                int n = header & 0x7FFFFFFF;
                if (record.capacity() + n > REPLY_BYTES_MAX) throw new IOException("reply of over " + n + " bytes");
                byte[] fragment = new byte[n];
                in.readFully(fragment);
                ByteBuffer joined = ByteBuffer.allocate(record.capacity() + n);
                joined.put(record.rewind()).put(fragment);
                record = joined;
            }
            return record.flip();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** A reply: its xid and the results that follow a SUCCESS (undecoded). */
    public record Reply(int xid, XdrReader body) {}

    public int newXid() {
        return nextXid++;
    }

    /** Sends a call with this xid and reads replies until the one with this xid. */
    public Reply call(int program, int procedure, int xid, byte[] args) throws IOException {
        return call(program, 3, procedure, xid, args);
    }

    /** A call to any program and version (a portmapper's, say) on the NFS connection, or MOUNT's. */
    public Reply call(int program, int version, int procedure, int xid, byte[] args) throws IOException {
        Conn conn = program == MOUNT_PROGRAM ? mount : nfs;
        XdrWriter x =
                new XdrWriter().u32(xid).u32(0).u32(2).u32(program).u32(version).u32(procedure);
        cred.encode(x);
        x.u32(AUTH_NONE).u32(0); // verifier
        x.fixed(args);
        conn.send(x.toByteArray());
        return receive(conn, xid);
    }

    public Reply call(int program, int procedure, byte[] args) throws IOException {
        return call(program, procedure, newXid(), args);
    }

    private static Reply receive(Conn conn, int xid) throws IOException {
        while (true) {
            XdrReader r = new XdrReader(conn.receive());
            int got = r.u32();
            if (r.u32() != 1) throw new IOException("not a reply");
            if (got != xid) continue; // a late reply to an earlier call
            if (r.u32() == 1) {
                int rejectStat = r.u32();
                throw new RpcRefused(true, rejectStat, rejectStat == 1 ? r.u32() : 0);
            }
            r.u32(); // verifier flavor
            r.opaque(400);
            int acceptStat = r.u32();
            if (acceptStat != 0) throw new RpcRefused(false, acceptStat, 0);
            return new Reply(got, r);
        }
    }

    // ---- decoding helpers ----

    private static void status(XdrReader r, String call) throws IOException {
        int s = r.u32();
        if (s != 0) throw new NfsStatus(call, s);
    }

    /** fattr3. Times in nanoseconds. */
    public record Attr(
            int type,
            int mode,
            int nlink,
            int uid,
            int gid,
            long size,
            long used,
            long fsid,
            long fileId,
            long atimeNanos,
            long mtimeNanos,
            long ctimeNanos) {}

    private static long time(XdrReader r) throws IOException {
        return Integer.toUnsignedLong(r.u32()) * 1_000_000_000L + Integer.toUnsignedLong(r.u32());
    }

    private static Attr attr(XdrReader r) throws IOException {
        int type = r.u32();
        int mode = r.u32();
        int nlink = r.u32();
        int uid = r.u32();
        int gid = r.u32();
        long size = r.u64();
        long used = r.u64();
        r.u64(); // rdev
        long fsid = r.u64();
        long fileId = r.u64();
        return new Attr(type, mode, nlink, uid, gid, size, used, fsid, fileId, time(r), time(r), time(r));
    }

    private static Attr postOp(XdrReader r) throws IOException {
        return r.bool() ? attr(r) : null;
    }

    /** wcc_data: the attributes after (those before are skipped). */
    private static Attr wcc(XdrReader r) throws IOException {
        if (r.bool()) {
            r.u64();
            time(r);
            time(r);
        }
        return postOp(r);
    }

    private static byte[] name(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static XdrWriter dirOp(byte[] dir, byte[] name) {
        return new XdrWriter().opaque(dir).opaque(name);
    }

    private Reply nfsCall(int procedure, XdrWriter args) throws IOException {
        return call(NFS_PROGRAM, procedure, args.toByteArray());
    }

    // ---- MOUNT ----

    /** MNT: the root handle of the export at {@code path}. */
    public byte[] mount(String path) throws IOException {
        XdrReader r = call(MOUNT_PROGRAM, 1, new XdrWriter().string(path).toByteArray())
                .body();
        status(r, "MNT " + path);
        byte[] handle = r.opaque(64);
        int flavors = r.u32();
        for (int i = 0; i < flavors; i++) r.u32();
        return handle;
    }

    /** EXPORT: the exported paths. */
    public List<String> exports() throws IOException {
        XdrReader r = call(MOUNT_PROGRAM, 5, new byte[0]).body();
        List<String> paths = new ArrayList<>();
        while (r.bool()) {
            paths.add(r.string(1024));
            while (r.bool()) r.string(1024);
        }
        return paths;
    }

    /** DUMP: "host path" of each mount the server remembers. */
    public List<String> dump() throws IOException {
        XdrReader r = call(MOUNT_PROGRAM, 2, new byte[0]).body();
        List<String> mounts = new ArrayList<>();
        while (r.bool()) mounts.add(r.string(255) + " " + r.string(1024));
        return mounts;
    }

    public void umnt(String path) throws IOException {
        call(MOUNT_PROGRAM, 3, new XdrWriter().string(path).toByteArray());
    }

    public void umntAll() throws IOException {
        call(MOUNT_PROGRAM, 4, new byte[0]);
    }

    // ---- NFSv3 ----

    public void ping() throws IOException {
        call(NFS_PROGRAM, 0, new byte[0]);
    }

    public Attr getattr(byte[] fh) throws IOException {
        XdrReader r = nfsCall(1, new XdrWriter().opaque(fh)).body();
        status(r, "GETATTR");
        return attr(r);
    }

    /** sattr3: null fields are left unchanged; a time of -1 means "the server's time". */
    public record Sattr(Integer mode, Integer uid, Integer gid, Long size, Long atimeNanos, Long mtimeNanos) {
        public static Sattr mode(int mode) {
            return new Sattr(mode, null, null, null, null, null);
        }

        public static Sattr size(long size) {
            return new Sattr(null, null, null, size, null, null);
        }

        void encode(XdrWriter x) {
            x.bool(mode != null);
            if (mode != null) x.u32(mode);
            x.bool(uid != null);
            if (uid != null) x.u32(uid);
            x.bool(gid != null);
            if (gid != null) x.u32(gid);
            x.bool(size != null);
            if (size != null) x.u64(size);
            time(x, atimeNanos);
            time(x, mtimeNanos);
        }

        private static void time(XdrWriter x, Long nanos) {
            if (nanos == null) x.u32(0);
            else if (nanos < 0) x.u32(1);
            else x.u32(2).u32((int) (nanos / 1_000_000_000L)).u32((int) (nanos % 1_000_000_000L));
        }
    }

    public Attr setattr(byte[] fh, Sattr change, Long guardCtimeNanos) throws IOException {
        XdrWriter x = new XdrWriter().opaque(fh);
        change.encode(x);
        x.bool(guardCtimeNanos != null);
        if (guardCtimeNanos != null)
            x.u32((int) (guardCtimeNanos / 1_000_000_000L)).u32((int) (guardCtimeNanos % 1_000_000_000L));
        XdrReader r = nfsCall(2, x).body();
        status(r, "SETATTR");
        return wcc(r);
    }

    public byte[] lookup(byte[] dir, String name) throws IOException {
        return lookup(dir, name(name));
    }

    public byte[] lookup(byte[] dir, byte[] name) throws IOException {
        XdrReader r = nfsCall(3, dirOp(dir, name)).body();
        status(r, "LOOKUP");
        byte[] handle = r.opaque(64);
        postOp(r);
        postOp(r);
        return handle;
    }

    /** ACCESS: the bits of {@code wanted} granted. */
    public int access(byte[] fh, int wanted) throws IOException {
        XdrReader r = nfsCall(4, new XdrWriter().opaque(fh).u32(wanted)).body();
        status(r, "ACCESS");
        postOp(r);
        return r.u32();
    }

    public String readlink(byte[] fh) throws IOException {
        XdrReader r = nfsCall(5, new XdrWriter().opaque(fh)).body();
        status(r, "READLINK");
        postOp(r);
        return r.string(4096);
    }

    /** READ: the bytes and whether they end the file. */
    public record Data(byte[] bytes, boolean eof) {}

    public Data read(byte[] fh, long offset, int count) throws IOException {
        XdrReader r =
                nfsCall(6, new XdrWriter().opaque(fh).u64(offset).u32(count)).body();
        status(r, "READ");
        postOp(r);
        r.u32();
        boolean eof = r.bool();
        return new Data(r.opaque(REPLY_BYTES_MAX), eof);
    }

    /** READ into {@code into} (up to its remaining bytes); returns the count, -1 at the end of the file. */
    public int read(byte[] fh, long offset, ByteBuffer into) throws IOException {
        XdrReader r = nfsCall(6, new XdrWriter().opaque(fh).u64(offset).u32(into.remaining()))
                .body();
        status(r, "READ");
        postOp(r);
        int n = r.u32();
        boolean eof = r.bool();
        r.opaqueInto(into);
        return n == 0 && eof ? -1 : n;
    }

    /** WRITE's answer. */
    public record Written(int count, int committed, byte[] verifier, Attr after) {}

    public Written write(byte[] fh, long offset, byte[] data, int stable) throws IOException {
        return write(fh, offset, ByteBuffer.wrap(data), stable);
    }

    public Written write(byte[] fh, long offset, ByteBuffer data, int stable) throws IOException {
        XdrWriter x = new XdrWriter()
                .opaque(fh)
                .u64(offset)
                .u32(data.remaining())
                .u32(stable)
                .opaque(data);
        XdrReader r = nfsCall(7, x).body();
        status(r, "WRITE");
        Attr after = wcc(r);
        return new Written(r.u32(), r.u32(), r.fixed(8), after);
    }

    /** CREATE: {@code how} is UNCHECKED or GUARDED with mode {@code mode}, or EXCLUSIVE with {@code verifier}. */
    public byte[] create(byte[] dir, String name, int how, int mode, byte[] verifier) throws IOException {
        return create(dir, name(name), how, mode, verifier);
    }

    public byte[] create(byte[] dir, byte[] name, int how, int mode, byte[] verifier) throws IOException {
        XdrWriter x = dirOp(dir, name).u32(how);
        if (how == EXCLUSIVE) x.fixed(verifier);
        else Sattr.mode(mode).encode(x);
        return created(nfsCall(8, x).body(), "CREATE");
    }

    /** CREATE GUARDED, mode 0644. */
    public byte[] create(byte[] dir, String name) throws IOException {
        return create(dir, name, GUARDED, 0644, null);
    }

    public byte[] mkdir(byte[] dir, String name) throws IOException {
        return mkdir(dir, name, 0755);
    }

    public byte[] mkdir(byte[] dir, String name, int mode) throws IOException {
        XdrWriter x = dirOp(dir, name(name));
        Sattr.mode(mode).encode(x);
        return created(nfsCall(9, x).body(), "MKDIR");
    }

    public byte[] symlink(byte[] dir, String name, String target) throws IOException {
        XdrWriter x = dirOp(dir, name(name));
        new Sattr(null, null, null, null, null, null).encode(x);
        x.string(target);
        return created(nfsCall(10, x).body(), "SYMLINK");
    }

    /** MKNOD of a FIFO (type 7). */
    public byte[] mknodFifo(byte[] dir, String name) throws IOException {
        XdrWriter x = dirOp(dir, name(name)).u32(7);
        Sattr.mode(0644).encode(x);
        return created(nfsCall(11, x).body(), "MKNOD");
    }

    private static byte[] created(XdrReader r, String call) throws IOException {
        status(r, call);
        byte[] handle = r.bool() ? r.opaque(64) : null;
        postOp(r);
        wcc(r);
        if (handle == null) throw new IOException(call + " answered no handle");
        return handle;
    }

    public void remove(byte[] dir, String name) throws IOException {
        XdrReader r = nfsCall(12, dirOp(dir, name(name))).body();
        status(r, "REMOVE " + name);
        wcc(r);
    }

    public void rmdir(byte[] dir, String name) throws IOException {
        XdrReader r = nfsCall(13, dirOp(dir, name(name))).body();
        status(r, "RMDIR " + name);
        wcc(r);
    }

    public void rename(byte[] fromDir, String fromName, byte[] toDir, String toName) throws IOException {
        XdrWriter x = dirOp(fromDir, name(fromName)).opaque(toDir).opaque(name(toName));
        XdrReader r = nfsCall(14, x).body();
        status(r, "RENAME " + fromName);
        wcc(r);
        wcc(r);
    }

    /** LINK: the file's attributes after. */
    public Attr link(byte[] file, byte[] dir, String name) throws IOException {
        XdrReader r = nfsCall(15, new XdrWriter().opaque(file).opaque(dir).opaque(name(name)))
                .body();
        status(r, "LINK " + name);
        Attr after = postOp(r);
        wcc(r);
        return after;
    }

    /** A directory entry; {@code attr} and {@code handle} only from READDIRPLUS (and may be null there). */
    public record Entry(long fileId, String name, long cookie, Attr attr, byte[] handle) {}

    /** One page of a listing. */
    public record DirPage(List<Entry> entries, byte[] verifier, boolean eof) {
        public List<String> names() {
            return entries.stream().map(Entry::name).toList();
        }

        public long lastCookie(long from) {
            return entries.isEmpty() ? from : entries.getLast().cookie();
        }
    }

    public DirPage readdir(byte[] dir, long cookie, byte[] verifier, int count) throws IOException {
        XdrReader r = nfsCall(
                        16,
                        new XdrWriter().opaque(dir).u64(cookie).fixed(verifier).u32(count))
                .body();
        status(r, "READDIR");
        postOp(r);
        byte[] verf = r.fixed(8);
        List<Entry> entries = new ArrayList<>();
        while (r.bool()) entries.add(new Entry(r.u64(), r.string(1024), r.u64(), null, null));
        return new DirPage(entries, verf, r.bool());
    }

    public DirPage readdirplus(byte[] dir, long cookie, byte[] verifier, int dirCount, int maxCount)
            throws IOException {
        XdrWriter x = new XdrWriter()
                .opaque(dir)
                .u64(cookie)
                .fixed(verifier)
                .u32(dirCount)
                .u32(maxCount);
        XdrReader r = nfsCall(17, x).body();
        status(r, "READDIRPLUS");
        postOp(r);
        byte[] verf = r.fixed(8);
        List<Entry> entries = new ArrayList<>();
        while (r.bool()) {
            long fileId = r.u64();
            String name = r.string(1024);
            long next = r.u64();
            Attr a = postOp(r);
            byte[] handle = r.bool() ? r.opaque(64) : null;
            entries.add(new Entry(fileId, name, next, a, handle));
        }
        return new DirPage(entries, verf, r.bool());
    }

    /** Every entry of a directory, by READDIRPLUS pages of {@code maxCount} bytes. */
    public List<Entry> list(byte[] dir, int maxCount) throws IOException {
        List<Entry> all = new ArrayList<>();
        long cookie = 0;
        byte[] verifier = new byte[8];
        while (true) {
            DirPage page = readdirplus(dir, cookie, verifier, maxCount, maxCount);
            all.addAll(page.entries());
            if (page.eof()) return all;
            if (page.entries().isEmpty()) throw new IOException("READDIRPLUS answered an empty page before the end");
            cookie = page.lastCookie(cookie);
            verifier = page.verifier();
        }
    }

    /** FSSTAT: total, free and available bytes, then total, free and available files. */
    public long[] fsstat(byte[] fh) throws IOException {
        XdrReader r = nfsCall(18, new XdrWriter().opaque(fh)).body();
        status(r, "FSSTAT");
        postOp(r);
        long[] v = new long[6];
        for (int i = 0; i < 6; i++) v[i] = r.u64();
        r.u32();
        return v;
    }

    /** FSINFO's sizes and properties. */
    public record FsInfo(int rtmax, int rtpref, int wtmax, int wtpref, int dtpref, long maxFileSize, int properties) {}

    public FsInfo fsinfo(byte[] fh) throws IOException {
        XdrReader r = nfsCall(19, new XdrWriter().opaque(fh)).body();
        status(r, "FSINFO");
        postOp(r);
        int rtmax = r.u32();
        int rtpref = r.u32();
        r.u32();
        int wtmax = r.u32();
        int wtpref = r.u32();
        r.u32();
        int dtpref = r.u32();
        long maxFileSize = r.u64();
        time(r);
        return new FsInfo(rtmax, rtpref, wtmax, wtpref, dtpref, maxFileSize, r.u32());
    }

    /** PATHCONF: link max and name max. */
    public int[] pathconf(byte[] fh) throws IOException {
        XdrReader r = nfsCall(20, new XdrWriter().opaque(fh)).body();
        status(r, "PATHCONF");
        postOp(r);
        int linkMax = r.u32();
        int nameMax = r.u32();
        for (int i = 0; i < 4; i++) r.bool();
        return new int[] {linkMax, nameMax};
    }

    /** COMMIT of the whole file: the write verifier. */
    public byte[] commit(byte[] fh) throws IOException {
        XdrReader r = nfsCall(21, new XdrWriter().opaque(fh).u64(0).u32(0)).body();
        status(r, "COMMIT");
        wcc(r);
        return r.fixed(8);
    }
}
