package io.seabed.namespace;

import io.seabed.namespace.NamespaceException.Reason;

/**
 * A condition on the object a write replaces, checked inside the metadata commit so that of two
 * racing conditional writes at most one wins (S3 conditional writes).
 *
 * @param ifNoneMatchEtag the key must not exist ("*") or must not have this ETag (If-None-Match; no
 *     quotes), or null for no check
 * @param ifMatchEtag the key must exist with this ETag (If-Match; no quotes), or null for no check
 */
public record WriteCondition(String ifNoneMatchEtag, String ifMatchEtag) {
    public static final WriteCondition NONE = new WriteCondition(null, null);

    /**
     * Throws unless the condition holds for the current head's ETag.
     *
     * @param currentEtag the ETag of the object now under the key, or null when there is none
     * @throws NamespaceException PRECONDITION_FAILED, or NO_SUCH_KEY for If-Match on a missing key
     */
    public void check(String key, String currentEtag) {
        if (ifNoneMatchEtag != null
                && currentEtag != null
                && (ifNoneMatchEtag.equals("*") || ifNoneMatchEtag.equals(currentEtag)))
            throw new NamespaceException(
                    Reason.PRECONDITION_FAILED, "key " + key + " has ETag " + currentEtag + " (If-None-Match)");
        if (ifMatchEtag == null) return;
        if (currentEtag == null) throw new NamespaceException(Reason.NO_SUCH_KEY, "no key " + key + " (If-Match)");
        if (!ifMatchEtag.equals("*") && !ifMatchEtag.equals(currentEtag))
            throw new NamespaceException(
                    Reason.PRECONDITION_FAILED,
                    "key " + key + " has ETag " + currentEtag + ", If-Match wants " + ifMatchEtag);
    }
}
