package io.seabed.metakv.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * What a transaction's own writes make of one key: either a known value (null: deleted) or blind ops
 * waiting for the base value, which is read (and enters the read set) only if the transaction reads
 * the key. Mirrors {@link BatchApplier}'s semantics so reads inside a transaction agree with apply.
 */
final class PendingValue {
    private record BlindOp(byte type, long number, byte[] value) {}

    boolean known;
    byte[] value;
    private List<BlindOp> ops;

    static PendingValue known(byte[] value) {
        PendingValue p = new PendingValue();
        p.setKnown(value);
        return p;
    }

    static PendingValue unknown() {
        PendingValue p = new PendingValue();
        p.ops = new ArrayList<>(2);
        return p;
    }

    void setKnown(byte[] v) {
        known = true;
        value = v;
        ops = null;
    }

    void apply(byte type, long number, byte[] putValue) {
        if (known) {
            value = applyOne(type, number, putValue, value);
        } else {
            ops.add(new BlindOp(type, number, putValue));
        }
    }

    /** Applies the waiting ops to the base value read at the transaction's snapshot. */
    void resolve(byte[] base) {
        byte[] v = base;
        for (BlindOp op : ops) v = applyOne(op.type, op.number, op.value, v);
        setKnown(v);
    }

    private static byte[] applyOne(byte type, long number, byte[] putValue, byte[] current) {
        return switch (type) {
            case Entry.ADD -> Keys.counterBytes(Keys.counterOr(current, 0) + number);
            case Entry.MAX ->
                Keys.counterBytes(current == null ? number : Math.max(Keys.counterOr(current, number), number));
            case Entry.PUT_IF_ABSENT -> current == null ? putValue : current;
            default -> throw new IllegalStateException("not a blind op: type=" + type);
        };
    }
}
