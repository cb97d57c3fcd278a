import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.semanticweb.HermiT.Configuration;
import org.semanticweb.HermiT.Reasoner;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.io.ReaderDocumentSource;
import org.semanticweb.owlapi.model.AxiomType;
import org.semanticweb.owlapi.model.IRI;
import org.semanticweb.owlapi.model.MissingImportHandlingStrategy;
import org.semanticweb.owlapi.model.OWLAxiom;
import org.semanticweb.owlapi.model.OWLClass;
import org.semanticweb.owlapi.model.OWLDataFactory;
import org.semanticweb.owlapi.model.OWLEntity;
import org.semanticweb.owlapi.model.OWLLiteral;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyLoaderConfiguration;
import org.semanticweb.owlapi.model.OWLOntologyManager;

import uk.ac.manchester.cs.owl.owlapi.turtle.parser.TurtleOntologyParser;

/**
 * HermiT on many scopes in one JVM. The base (ontology and reference data) is parsed once; each scope's
 * own triples are added to it for one reasoner run, then taken out again. Starting a JVM and parsing the
 * base for every document would cost far more than reasoning on the document.
 *
 * <p>Requests, one a line on standard input, fields separated by tabs:
 * <pre>
 *   base    BASE.nt                        parse the base
 *   check   base|alone  SCOPE.nt  NAME     reason on base + SCOPE (or on SCOPE alone)
 *   same    SCOPE.nt  NAME                 compare the quick reading of SCOPE with the OWL API's
 * </pre>
 * Each request is answered by one JSON line on standard output:
 * {"scope": NAME, "consistent": true|false|null, "unsatisfiable": [IRI, ...], "error": TEXT|null,
 *  "parse": SECONDS, "reason": SECONDS}.
 * A failure on one scope is reported as that scope's error; the session goes on.
 *
 * <p>Reading a scope: the OWL API's Turtle parser spends about as long on a document as HermiT does, and
 * nearly every triple of a document is an assertion on a property or class the base declares. Such a
 * triple is mapped to its axiom here, exactly as the OWL 2 RDF mapping (and the OWL API's consumer) maps
 * it; an annotation is dropped, as HermiT ignores annotations. Every other triple (blank nodes, escapes,
 * OWL vocabulary, anything about the base's own entities or about entities the scope declares) goes to
 * the OWL API parser, after the base's declarations so that it is read as within the whole graph. A
 * scope that says anything about an entity of the base is read by the OWL API parser alone.
 */
public final class HermitSession {
    private static final String RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
    private static final String[] VOCABULARIES = {
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "http://www.w3.org/2000/01/rdf-schema#",
        "http://www.w3.org/2002/07/owl#", "http://www.w3.org/2001/XMLSchema#"};
    private static final String[] BUILT_IN_ANNOTATIONS = {
        "http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2000/01/rdf-schema#comment",
        "http://www.w3.org/2000/01/rdf-schema#seeAlso", "http://www.w3.org/2000/01/rdf-schema#isDefinedBy",
        "http://www.w3.org/2002/07/owl#versionInfo", "http://www.w3.org/2002/07/owl#deprecated"};

    private final PrintStream out;
    private final OWLDataFactory factory = OWLManager.getOWLDataFactory();
    private OWLOntologyManager workingManager;
    private OWLOntology working;       // the base's axioms; a scope's are added for one run, then removed
    private String declarations = "";  // the base's declaration triples, N-Triples
    private final Set<String> classes = new HashSet<String>();
    private final Set<String> objectProperties = new HashSet<String>();
    private final Set<String> dataProperties = new HashSet<String>();
    private final Set<String> annotationProperties = new HashSet<String>();
    private final Set<String> entities = new HashSet<String>();  // every IRI the base declares or builds in
    private String baseError = "no base given";

    private HermitSession(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        // Libraries may print to standard output; the protocol owns it, so they get standard error.
        PrintStream protocol = new PrintStream(new FileOutputStream(FileDescriptor.out), true, "UTF-8");
        System.setOut(System.err);
        HermitSession session = new HermitSession(protocol);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (!line.isEmpty()) session.handle(line.split("\t", -1));
        }
    }

    private void handle(String[] f) {
        String scope = f[f.length - 1];
        long start = System.nanoTime();
        try {
            if (f[0].equals("base") && f.length == 2) {
                loadBase(f[1]);
                reply("base", null, Collections.<String>emptyList(), baseError, seconds(start), 0);
            } else if (f[0].equals("check") && f.length == 4) {
                check(scope, f[1].equals("base"), f[2]);
            } else if (f[0].equals("same") && f.length == 3) {
                compare(scope, f[1]);
            } else {
                reply(scope, null, Collections.<String>emptyList(), "unknown request: " + String.join(" ", f), 0, 0);
            }
        } catch (Throwable t) {
            reply(scope, null, Collections.<String>emptyList(), describe(t), seconds(start), 0);
        }
    }

    private void loadBase(String basePath) {
        working = null;
        baseError = null;
        for (Set<String> s : List.of(classes, objectProperties, dataProperties, annotationProperties, entities)) {
            s.clear();
        }
        try {
            String text = new String(Files.readAllBytes(Paths.get(basePath)), StandardCharsets.UTF_8);
            OWLOntology base = parse(text, basePath);
            workingManager = OWLManager.createOWLOntologyManager();
            working = workingManager.createOntology();
            workingManager.addAxioms(working, base.getAxioms());
            StringBuilder declared = new StringBuilder();
            for (OWLAxiom axiom : base.getAxioms(AxiomType.DECLARATION)) {
                OWLEntity e = ((org.semanticweb.owlapi.model.OWLDeclarationAxiom) axiom).getEntity();
                String iri = e.getIRI().toString();
                entities.add(iri);
                String type;
                if (e.isOWLClass()) { classes.add(iri); type = "Class"; }
                else if (e.isOWLObjectProperty()) { objectProperties.add(iri); type = "ObjectProperty"; }
                else if (e.isOWLDataProperty()) { dataProperties.add(iri); type = "DatatypeProperty"; }
                else if (e.isOWLAnnotationProperty()) { annotationProperties.add(iri); type = "AnnotationProperty"; }
                else if (e.isOWLDatatype()) { declared.append('<').append(iri)
                        .append("> <" + RDF_TYPE + "> <http://www.w3.org/2000/01/rdf-schema#Datatype> .\n");
                        continue; }
                else continue;  // individuals: a scope reads them alike with or without the declaration
                declared.append('<').append(iri).append("> <" + RDF_TYPE + "> <http://www.w3.org/2002/07/owl#")
                        .append(type).append("> .\n");
            }
            for (OWLEntity e : base.getSignature()) {
                if (!e.isOWLNamedIndividual()) entities.add(e.getIRI().toString());
            }
            Collections.addAll(annotationProperties, BUILT_IN_ANNOTATIONS);
            // an IRI declared with two kinds (punning) is left to the OWL API parser
            for (Set<String> a : List.of(classes, objectProperties, dataProperties, annotationProperties)) {
                for (Set<String> b : List.of(classes, objectProperties, dataProperties, annotationProperties)) {
                    if (a != b) a.removeIf(b::contains);
                }
            }
            declarations = declared.toString();
        } catch (Throwable t) {
            working = null;
            baseError = "the ontology and reference data could not be read: " + describe(t);
        }
    }

    private void check(String scope, boolean withBase, String path) throws Exception {
        long start = System.nanoTime();
        String text = new String(Files.readAllBytes(Paths.get(path)), StandardCharsets.UTF_8);
        if (!withBase) {
            OWLOntology alone = parse(text, path);
            reason(scope, alone, seconds(start));
            return;
        }
        if (working == null) {
            reply(scope, null, Collections.<String>emptyList(), baseError, 0, 0);
            return;
        }
        Set<OWLAxiom> added = new HashSet<OWLAxiom>();
        for (OWLAxiom axiom : read(text, path)) {
            if (!working.containsAxiom(axiom)) added.add(axiom);
        }
        workingManager.addAxioms(working, added);
        try {
            reason(scope, working, seconds(start));
        } finally {
            workingManager.removeAxioms(working, added);
        }
    }

    /** The quick reading against the OWL API's, annotations aside: the test that the mapping is exact. */
    private void compare(String scope, String path) throws Exception {
        long start = System.nanoTime();
        if (working == null) {
            reply(scope, null, Collections.<String>emptyList(), baseError, 0, 0);
            return;
        }
        String text = new String(Files.readAllBytes(Paths.get(path)), StandardCharsets.UTF_8);
        Set<OWLAxiom> quick = logical(read(text, path));
        Set<OWLAxiom> full = logical(parse(declarations + text, path).getAxioms());
        Set<OWLAxiom> missing = new HashSet<OWLAxiom>(full);
        missing.removeAll(quick);
        missing.removeIf(working::containsAxiom);
        Set<OWLAxiom> extra = new HashSet<OWLAxiom>(quick);
        extra.removeAll(full);
        extra.removeIf(working::containsAxiom);
        String error = missing.isEmpty() && extra.isEmpty() ? null
                : "missing " + sample(missing) + "; extra " + sample(extra);
        reply(scope, null, Collections.<String>emptyList(), error, seconds(start), 0);
    }

    private static Set<OWLAxiom> logical(Set<OWLAxiom> axioms) {
        Set<OWLAxiom> out = new HashSet<OWLAxiom>();
        for (OWLAxiom a : axioms) {
            if (a.isLogicalAxiom() || a.getAxiomType() == AxiomType.DECLARATION) out.add(a);
        }
        return out;
    }

    private static String sample(Set<OWLAxiom> axioms) {
        List<String> shown = new ArrayList<String>();
        for (OWLAxiom a : axioms) {
            if (shown.size() == 5) break;
            shown.add(a.toString());
        }
        return axioms.size() + " " + shown;
    }

    /** A scope's axioms: the quick mapping where it applies, the OWL API parser for the rest. */
    private Set<OWLAxiom> read(String text, String path) throws Exception {
        String[] lines = text.split("\n");
        List<String[]> quick = new ArrayList<String[]>();
        StringBuilder rest = new StringBuilder();
        Set<String> declaredHere = new HashSet<String>();
        for (String line : lines) {
            String[] t = split(line);
            if (t == null) {
                int end = line.indexOf('>');
                if (line.startsWith("<") && end > 0 && entities.contains(line.substring(1, end))) {
                    return parse(declarations + text, path).getAxioms();
                }
                if (!line.isBlank()) rest.append(line).append('\n');
                continue;
            }
            if (entities.contains(t[0])) return parse(declarations + text, path).getAxioms();
            if (t[1].equals(RDF_TYPE) && t[3] == null && isVocabulary(t[2])) declaredHere.add(t[0]);
            quick.add(t);
        }
        Set<OWLAxiom> axioms = new HashSet<OWLAxiom>();
        for (String[] t : quick) {
            String s = t[0], p = t[1], o = t[2];
            boolean iriObject = t[3] == null;
            if (declaredHere.contains(s) || declaredHere.contains(p) || (iriObject && declaredHere.contains(o))) {
                rest.append(t[4]).append('\n');
            } else if (annotationProperties.contains(p)) {
                continue;  // HermiT ignores annotations
            } else if (p.equals(RDF_TYPE) && iriObject && classes.contains(o) && !isVocabulary(o)) {
                axioms.add(factory.getOWLClassAssertionAxiom(
                        factory.getOWLClass(IRI.create(o)), factory.getOWLNamedIndividual(IRI.create(s))));
            } else if (isVocabulary(p)) {
                rest.append(t[4]).append('\n');
            } else if (objectProperties.contains(p) && iriObject && !entities.contains(o)) {
                axioms.add(factory.getOWLObjectPropertyAssertionAxiom(factory.getOWLObjectProperty(IRI.create(p)),
                        factory.getOWLNamedIndividual(IRI.create(s)), factory.getOWLNamedIndividual(IRI.create(o))));
            } else if (dataProperties.contains(p) && !iriObject) {
                axioms.add(factory.getOWLDataPropertyAssertionAxiom(factory.getOWLDataProperty(IRI.create(p)),
                        factory.getOWLNamedIndividual(IRI.create(s)), literal(t)));
            } else {
                rest.append(t[4]).append('\n');
            }
        }
        if (rest.length() > 0) axioms.addAll(parse(declarations + rest, path).getAxioms());
        return axioms;
    }

    /** As the OWL API's RDF consumer builds a literal: with its datatype if it has one, else its language. */
    private OWLLiteral literal(String[] t) {
        if (t[3].equals("^")) return factory.getOWLLiteral(t[2], factory.getOWLDatatype(IRI.create(t[5])));
        return factory.getOWLLiteral(t[2], t[3].equals("@") ? t[5] : null);
    }

    private static boolean isVocabulary(String iri) {
        for (String v : VOCABULARIES) if (iri.startsWith(v)) return true;
        return false;
    }

    /**
     * One N-Triples line as {subject, predicate, object, kind, line, datatype or language}: kind is null for
     * an IRI object, "" for a plain literal, "@" or "^" for a language-tagged or typed one. Null for any
     * line the quick mapping leaves to the parser: blank nodes, escapes, comments.
     */
    private static String[] split(String line) {
        // escapes: the OWL API's Turtle parser decodes them its own way ("\\n" as "n"), so it reads them
        if (line.indexOf('\\') >= 0 || !line.startsWith("<") || !line.endsWith(" .")) return null;
        int a = line.indexOf("> <");
        if (a < 0) return null;
        int b = line.indexOf("> ", a + 3);
        if (b < 0) return null;
        String s = line.substring(1, a), p = line.substring(a + 3, b);
        String o = line.substring(b + 2, line.length() - 2);
        if (s.indexOf('>') >= 0 || p.indexOf('>') >= 0) return null;
        if (o.startsWith("<") && o.endsWith(">") && o.indexOf('>') == o.length() - 1) {
            return new String[] {s, p, o.substring(1, o.length() - 1), null, line, null};
        }
        if (!o.startsWith("\"")) return null;
        int q = o.lastIndexOf('"');
        if (q == 0) return null;
        String lexical = o.substring(1, q), suffix = o.substring(q + 1);
        if (suffix.isEmpty()) return new String[] {s, p, lexical, "", line, null};
        if (suffix.startsWith("@") && suffix.length() > 1) {
            return new String[] {s, p, lexical, "@", line, suffix.substring(1)};
        }
        if (suffix.startsWith("^^<") && suffix.endsWith(">") && suffix.indexOf('>') == suffix.length() - 1) {
            return new String[] {s, p, lexical, "^", line, suffix.substring(3, suffix.length() - 1)};
        }
        return null;
    }

    /** What owlready2's HermiT run decides: consistency, then the classes equivalent to owl:Nothing. */
    private void reason(String scope, OWLOntology ontology, double parseSeconds) {
        long start = System.nanoTime();
        Reasoner hermit = new Reasoner(new Configuration(), ontology);
        try {
            if (!hermit.isConsistent()) {
                reply(scope, Boolean.FALSE, Collections.<String>emptyList(), null, parseSeconds, seconds(start));
                return;
            }
            List<String> unsatisfiable = new ArrayList<String>();
            for (OWLClass c : hermit.getUnsatisfiableClasses().getEntitiesMinusBottom()) {
                unsatisfiable.add(c.getIRI().toString());
            }
            Collections.sort(unsatisfiable);
            reply(scope, Boolean.TRUE, unsatisfiable, null, parseSeconds, seconds(start));
        } finally {
            hermit.dispose();
        }
    }

    /** N-Triples text in a fresh manager: two parses naming the same ontology must not meet in one. */
    private static OWLOntology parse(CharSequence text, String path) throws Exception {
        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        OWLOntology ontology = manager.createOntology();
        OWLOntologyLoaderConfiguration config = new OWLOntologyLoaderConfiguration()
                .setMissingImportHandlingStrategy(MissingImportHandlingStrategy.SILENT);
        new TurtleOntologyParser().parse(new ReaderDocumentSource(new StringReader(text.toString()),
                IRI.create(Paths.get(path).toUri())), ontology, config);
        return ontology;
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    private static String describe(Throwable t) {
        StringWriter trace = new StringWriter();
        t.printStackTrace(new PrintWriter(trace));
        String text = trace.toString();
        return text.length() > 4000 ? text.substring(0, 4000) : text;
    }

    private void reply(String scope, Boolean consistent, List<String> unsatisfiable, String error,
                       double parseSeconds, double reasonSeconds) {
        StringBuilder b = new StringBuilder("{\"scope\": ");
        quote(b, scope);
        b.append(", \"consistent\": ").append(consistent == null ? "null" : consistent.toString());
        b.append(", \"unsatisfiable\": [");
        for (int i = 0; i < unsatisfiable.size(); i++) {
            if (i > 0) b.append(", ");
            quote(b, unsatisfiable.get(i));
        }
        b.append("], \"error\": ");
        if (error == null) b.append("null"); else quote(b, error);
        b.append(String.format(java.util.Locale.ROOT, ", \"parse\": %.4f, \"reason\": %.4f}", parseSeconds,
                reasonSeconds));
        out.println(b);
        out.flush();
    }

    private static void quote(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20 || c > 0x7e) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        b.append('"');
    }
}
