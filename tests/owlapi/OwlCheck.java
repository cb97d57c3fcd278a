// Load RDF files with the OWL API's own parsers, offline, and report what it read and the OWL 2 DL profile.
// Usage: java -cp "owlapi jars" OwlCheck.java FORMAT FILE OUT   (FORMAT: turtle or rdfxml)
// OUT receives one line per entity IRI in the signature; stdout one line of counts and the profile
// violations. A parse failure exits 1 with the parser's message; no other parser is tried.
import java.io.File;
import java.io.PrintWriter;
import java.util.TreeSet;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.io.FileDocumentSource;
import org.semanticweb.owlapi.model.MissingImportHandlingStrategy;
import org.semanticweb.owlapi.model.OWLEntity;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyLoaderConfiguration;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.model.parameters.Imports;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileReport;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;
import org.semanticweb.owlapi.rdf.rdfxml.parser.RDFXMLParserFactory;
import org.semanticweb.owlapi.rdf.turtle.parser.TurtleOntologyParserFactory;

public class OwlCheck {
    public static void main(String[] args) throws Exception {
        String format = args[0];
        File file = new File(args[1]);
        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        manager.getOntologyParsers().set(format.equals("turtle") ? new TurtleOntologyParserFactory()
                                                                 : new RDFXMLParserFactory());
        OWLOntologyLoaderConfiguration config = new OWLOntologyLoaderConfiguration()
            .setMissingImportHandlingStrategy(MissingImportHandlingStrategy.SILENT)
            .setStrict(true);
        OWLOntology ontology;
        try {
            ontology = manager.loadOntologyFromOntologyDocument(new FileDocumentSource(file), config);
        } catch (Exception e) {
            System.out.println("PARSE-ERROR " + e.getClass().getSimpleName() + ": " + e.getMessage());
            System.exit(1);
            return;
        }
        TreeSet<String> iris = new TreeSet<>();
        for (OWLEntity e : ontology.getSignature(Imports.EXCLUDED)) {
            iris.add(e.getIRI().toString());
        }
        try (PrintWriter out = new PrintWriter(args[2], "UTF-8")) {
            for (String iri : iris) {
                out.println(iri);
            }
        }
        OWLProfileReport report = new OWL2DLProfile().checkOntology(ontology);
        System.out.println("axioms=" + ontology.getAxiomCount() + " logical=" + ontology.getLogicalAxiomCount()
                           + " entities=" + iris.size() + " violations=" + report.getViolations().size()
                           + " format=" + manager.getOntologyFormat(ontology).getKey());
        int shown = 0;
        for (OWLProfileViolation v : report.getViolations()) {
            if (shown++ < 20) {
                System.out.println("VIOLATION " + v.getClass().getSimpleName() + ": " + v);
            }
        }
    }
}
