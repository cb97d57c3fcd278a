"""Links between documents: which paragraphs of a later text most likely take up each ask of an earlier
one (uptake proposals), and what became of each paragraph from one version of a text to the next
(lineage). Both are machine proposals for a curator to judge, never the graph's own statements."""
