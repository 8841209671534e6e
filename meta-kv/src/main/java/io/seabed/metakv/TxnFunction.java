package io.seabed.metakv;

/** The body of a transaction; may run more than once. */
@FunctionalInterface
public interface TxnFunction<T> {
    T apply(Txn txn);
}
