package io.seabed.s3.xml;

import io.seabed.s3.S3ErrorCode;
import io.seabed.s3.S3Exception;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Parses small S3 request bodies into a tree of elements (namespaces ignored). DTDs and external
 * entities are refused; malformed input is MalformedXML.
 */
public final class XmlReader {
    /** Deepest element nesting accepted. */
    static final int DEPTH_MAX = 16;
    /** Elements accepted in one body (10,000 parts of CompleteMultipartUpload need ~30,000). */
    static final int ELEMENTS_MAX = 50_000;

    private static final XMLInputFactory FACTORY = newFactory();

    private XmlReader() {}

    /**
     * One element: its local name, text (trimmed), text as sent (object keys may begin or end with
     * spaces), and children in order.
     */
    public record Element(String name, String text, String rawText, List<Element> children) {
        public Element child(String name) {
            for (Element c : children) if (c.name.equals(name)) return c;
            return null;
        }

        public List<Element> all(String name) {
            List<Element> out = new ArrayList<>();
            for (Element c : children) if (c.name.equals(name)) out.add(c);
            return out;
        }

        public String childText(String name) {
            Element c = child(name);
            return c == null ? null : c.text;
        }
    }

    public static Element parse(byte[] body) {
        try {
            XMLStreamReader r = FACTORY.createXMLStreamReader(new ByteArrayInputStream(body));
            try {
                return read(r);
            } finally {
                r.close();
            }
        } catch (XMLStreamException | RuntimeException e) {
            if (e instanceof S3Exception s3) throw s3;
            throw new S3Exception(S3ErrorCode.MALFORMED_XML);
        }
    }

    private static Element read(XMLStreamReader r) throws XMLStreamException {
        List<Element> stack = new ArrayList<>();
        List<StringBuilder> texts = new ArrayList<>();
        Element root = null;
        int elements = 0;
        while (r.hasNext()) {
            int event = r.next();
            switch (event) {
                case XMLStreamConstants.START_ELEMENT -> {
                    if (++elements > ELEMENTS_MAX || stack.size() >= DEPTH_MAX)
                        throw new S3Exception(S3ErrorCode.MALFORMED_XML, "The XML is too large or too deep.");
                    Element e = new Element(r.getLocalName(), null, null, new ArrayList<>());
                    if (!stack.isEmpty()) stack.getLast().children().add(e);
                    else if (root != null) throw new S3Exception(S3ErrorCode.MALFORMED_XML);
                    stack.add(e);
                    texts.add(new StringBuilder());
                }
                case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA -> {
                    if (!texts.isEmpty()) texts.getLast().append(r.getText());
                }
                case XMLStreamConstants.END_ELEMENT -> {
                    Element open = stack.removeLast();
                    String raw = texts.removeLast().toString();
                    Element closed = new Element(open.name(), raw.trim(), raw, open.children());
                    if (stack.isEmpty()) root = closed;
                    else {
                        List<Element> siblings = stack.getLast().children();
                        siblings.set(siblings.size() - 1, closed);
                    }
                }
                case XMLStreamConstants.DTD -> throw new S3Exception(S3ErrorCode.MALFORMED_XML);
                default -> {}
            }
        }
        if (root == null) throw new S3Exception(S3ErrorCode.MALFORMED_XML);
        return root;
    }

    private static XMLInputFactory newFactory() {
        XMLInputFactory f = XMLInputFactory.newFactory();
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        f.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
        f.setProperty(XMLInputFactory.IS_COALESCING, true);
        return f;
    }
}
