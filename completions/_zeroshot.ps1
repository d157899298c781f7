
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'zeroshot' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'zeroshot'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'zeroshot' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('classify', 'classify', [CompletionResultType]::ParameterValue, 'Rank candidate labels for each document')
            [CompletionResult]::new('nli', 'nli', [CompletionResultType]::ParameterValue, 'Probabilities of the model''s labels for premise/hypothesis pairs')
            [CompletionResult]::new('embed', 'embed', [CompletionResultType]::ParameterValue, 'Contextual token embeddings or pooled document vectors')
            [CompletionResult]::new('eval', 'eval', [CompletionResultType]::ParameterValue, 'Accuracy, macro-F1 and a confusion matrix on gold-labelled data')
            [CompletionResult]::new('merge', 'merge', [CompletionResultType]::ParameterValue, 'Join the outputs of `--shard I/N` runs into the output of one unsharded run')
            [CompletionResult]::new('labels', 'labels', [CompletionResultType]::ParameterValue, 'List the built-in label sets, or show one')
            [CompletionResult]::new('model', 'model', [CompletionResultType]::ParameterValue, 'Inspect or download models')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff), for the whole tool or one command')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'zeroshot;classify' {
            [CompletionResult]::new('--text-column', '--text-column', [CompletionResultType]::ParameterName, 'CSV/TSV column holding the text: a header name or a 1-based index [default: text]')
            [CompletionResult]::new('--id-column', '--id-column', [CompletionResultType]::ParameterName, 'CSV column holding each row''s id (default: FILE:ROW)')
            [CompletionResult]::new('--text-field', '--text-field', [CompletionResultType]::ParameterName, 'JSONL field holding the text; a dotted path reaches into objects [default: text]')
            [CompletionResult]::new('--delimiter', '--delimiter', [CompletionResultType]::ParameterName, 'CSV field delimiter: one character, or `tab` [default: `,`; tab for .tsv]')
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Candidate labels, comma-separated, or a built-in set as `@name` (see `zeroshot labels`); repeatable')
            [CompletionResult]::new('--labels', '--labels', [CompletionResultType]::ParameterName, 'Candidate labels, comma-separated, or a built-in set as `@name` (see `zeroshot labels`); repeatable')
            [CompletionResult]::new('--label', '--label', [CompletionResultType]::ParameterName, 'One candidate label, taken whole, so it may contain commas (repeatable)')
            [CompletionResult]::new('--labels-file', '--labels-file', [CompletionResultType]::ParameterName, 'File with one label per line (`label = hypothesis phrase` allowed, `#` comments, optional `# template: ...` header); `@name` or `labels/NAME.txt` finds a built-in set anywhere; repeatable')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Hypothesis template; `{}` is replaced by each label [default: "This example is {}."]')
            [CompletionResult]::new('--template', '--template', [CompletionResultType]::ParameterName, 'Hypothesis template; `{}` is replaced by each label [default: "This example is {}."]')
            [CompletionResult]::new('--long', '--long', [CompletionResultType]::ParameterName, 'Documents longer than the model accepts: `truncate` keeps the start (as the Hugging Face pipeline does); `chunk` scores overlapping windows covering the whole document and aggregates them')
            [CompletionResult]::new('--stride', '--stride', [CompletionResultType]::ParameterName, 'With --long chunk: tokens shared by consecutive windows [default: 32]')
            [CompletionResult]::new('--aggregate', '--aggregate', [CompletionResultType]::ParameterName, 'With --long chunk: a label''s document score is its best window''s (`max`) or the average over windows (`mean`) [default: max]')
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'Model: a local folder (holding config.json, weights and tokenizer) or a Hugging Face Hub repo id, looked up in the Hugging Face cache and downloaded there when missing')
            [CompletionResult]::new('--model', '--model', [CompletionResultType]::ParameterName, 'Model: a local folder (holding config.json, weights and tokenizer) or a Hugging Face Hub repo id, looked up in the Hugging Face cache and downloaded there when missing')
            [CompletionResult]::new('--revision', '--revision', [CompletionResultType]::ParameterName, 'Hub revision to use: a branch, tag or commit hash')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Output format [default: from the --output extension (.csv, .tsv, .jsonl, .json), else csv for CSV input, jsonl for JSONL input, else table on a terminal and jsonl otherwise]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format [default: from the --output extension (.csv, .tsv, .jsonl, .json), else csv for CSV input, jsonl for JSONL input, else table on a terminal and jsonl otherwise]')
            [CompletionResult]::new('--top-k', '--top-k', [CompletionResultType]::ParameterName, 'Show only the K best labels per document (jsonl, json, table)')
            [CompletionResult]::new('--threshold', '--threshold', [CompletionResultType]::ParameterName, 'Score threshold: with --multi-label, show only labels at or above it; with --fail-on, the score that trips the gate [default: 0.5]')
            [CompletionResult]::new('--fail-on', '--fail-on', [CompletionResultType]::ParameterName, 'Exit 1 (after writing all output) if any document scores at least --threshold for LABEL; repeatable')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write results to PATH, atomically: it appears only once the run is complete (work in progress goes to PATH.partial)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write results to PATH, atomically: it appears only once the run is complete (work in progress goes to PATH.partial)')
            [CompletionResult]::new('--shard', '--shard', [CompletionResultType]::ParameterName, 'Process only documents whose 0-based index modulo N is I, to spread one input over N machines or processes')
            [CompletionResult]::new('--batch-size', '--batch-size', [CompletionResultType]::ParameterName, 'Most sequences in one forward pass (1 to 8192)')
            [CompletionResult]::new('--batch-tokens', '--batch-tokens', [CompletionResultType]::ParameterName, 'Most tokens in one forward pass (sequences are packed without padding; longer ones run alone; 1 to 1048576)')
            [CompletionResult]::new('--precision', '--precision', [CompletionResultType]::ParameterName, 'How the encoder computes: f32 (exact: the Hugging Face pipeline''s scores) or bf16 (bfloat16 weights and product inputs, float32 sums: less memory, faster where the CPU has bfloat16 units); see README "Precision"')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Worker threads, 1 to 1024 [default: all cores]')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Worker threads, 1 to 1024 [default: all cores]')
            [CompletionResult]::new('--lines', '--lines', [CompletionResultType]::ParameterName, 'Read FILEs line by line too: each non-blank line is a document')
            [CompletionResult]::new('--csv', '--csv', [CompletionResultType]::ParameterName, 'Read CSV (automatic for .csv files; use it for CSV on stdin). classify''s CSV output keeps every input column and appends zeroshot_label, zeroshot_score and one zeroshot_score_<label> per label')
            [CompletionResult]::new('--tsv', '--tsv', [CompletionResultType]::ParameterName, 'Read TSV (automatic for .tsv files): tab-separated, quotes are plain text (IANA text/tab-separated-values) unless --csv-quotes')
            [CompletionResult]::new('--jsonl', '--jsonl', [CompletionResultType]::ParameterName, 'Read JSON Lines (automatic for .jsonl and .ndjson files). classify''s JSONL output keeps every input field and adds "zeroshot": {labels, scores}')
            [CompletionResult]::new('--csv-quotes', '--csv-quotes', [CompletionResultType]::ParameterName, 'Tab-separated input with CSV-style quoting (quoted fields may hold tabs and line breaks; "" is a quote)')
            [CompletionResult]::new('--skip-bad-rows', '--skip-bad-rows', [CompletionResultType]::ParameterName, 'Skip malformed rows (ragged CSV rows, invalid JSON, missing or empty text) instead of stopping; they are counted on stderr and make the exit code 2')
            [CompletionResult]::new('--multi-label', '--multi-label', [CompletionResultType]::ParameterName, 'Score each label on its own (entailment vs contradiction) instead of making the scores of a document sum to one')
            [CompletionResult]::new('--resume', '--resume', [CompletionResultType]::ParameterName, 'Continue an interrupted run of the same job from its PATH.partial (or start, if there is none); the result is identical to an uninterrupted run, and the input must be the same')
            [CompletionResult]::new('--restart', '--restart', [CompletionResultType]::ParameterName, 'Delete the finished work in PATH.partial and start the job over')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress display')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress display')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Show progress on stderr even when it is not a terminal (as plain lines)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'zeroshot;nli' {
            [CompletionResult]::new('--premise', '--premise', [CompletionResultType]::ParameterName, 'Column (CSV/TSV: name or 1-based index) or field (JSONL: dotted path) of the premise')
            [CompletionResult]::new('--hypothesis', '--hypothesis', [CompletionResultType]::ParameterName, 'Column or field of the hypothesis')
            [CompletionResult]::new('--id-column', '--id-column', [CompletionResultType]::ParameterName, 'CSV/TSV column holding each row''s id (default: FILE:ROW)')
            [CompletionResult]::new('--delimiter', '--delimiter', [CompletionResultType]::ParameterName, 'Field delimiter for CSV input: one character, or `tab`')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Output format [default: from the --output extension, else jsonl]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format [default: from the --output extension, else jsonl]')
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'Model: a local folder (holding config.json, weights and tokenizer) or a Hugging Face Hub repo id, looked up in the Hugging Face cache and downloaded there when missing')
            [CompletionResult]::new('--model', '--model', [CompletionResultType]::ParameterName, 'Model: a local folder (holding config.json, weights and tokenizer) or a Hugging Face Hub repo id, looked up in the Hugging Face cache and downloaded there when missing')
            [CompletionResult]::new('--revision', '--revision', [CompletionResultType]::ParameterName, 'Hub revision to use: a branch, tag or commit hash')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write results to PATH, atomically: it appears only once the run is complete (work in progress goes to PATH.partial)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write results to PATH, atomically: it appears only once the run is complete (work in progress goes to PATH.partial)')
            [CompletionResult]::new('--shard', '--shard', [CompletionResultType]::ParameterName, 'Process only documents whose 0-based index modulo N is I, to spread one input over N machines or processes')
            [CompletionResult]::new('--batch-size', '--batch-size', [CompletionResultType]::ParameterName, 'Most sequences in one forward pass (1 to 8192)')
            [CompletionResult]::new('--batch-tokens', '--batch-tokens', [CompletionResultType]::ParameterName, 'Most tokens in one forward pass (sequences are packed without padding; longer ones run alone; 1 to 1048576)')
            [CompletionResult]::new('--precision', '--precision', [CompletionResultType]::ParameterName, 'How the encoder computes: f32 (exact: the Hugging Face pipeline''s scores) or bf16 (bfloat16 weights and product inputs, float32 sums: less memory, faster where the CPU has bfloat16 units); see README "Precision"')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Worker threads, 1 to 1024 [default: all cores]')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Worker threads, 1 to 1024 [default: all cores]')
            [CompletionResult]::new('--csv', '--csv', [CompletionResultType]::ParameterName, 'Read CSV')
            [CompletionResult]::new('--tsv', '--tsv', [CompletionResultType]::ParameterName, 'Read TSV (quotes are plain text unless --csv-quotes)')
            [CompletionResult]::new('--jsonl', '--jsonl', [CompletionResultType]::ParameterName, 'Read JSON Lines')
            [CompletionResult]::new('--csv-quotes', '--csv-quotes', [CompletionResultType]::ParameterName, 'Tab-separated input with CSV-style quoting')
            [CompletionResult]::new('--skip-bad-rows', '--skip-bad-rows', [CompletionResultType]::ParameterName, 'Skip malformed rows instead of stopping (counted; exit code 2)')
            [CompletionResult]::new('--resume', '--resume', [CompletionResultType]::ParameterName, 'Continue an interrupted run of the same job from its PATH.partial (or start, if there is none); the result is identical to an uninterrupted run, and the input must be the same')
            [CompletionResult]::new('--restart', '--restart', [CompletionResultType]::ParameterName, 'Delete the finished work in PATH.partial and start the job over')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress display')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress display')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Show progress on stderr even when it is not a terminal (as plain lines)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'zeroshot;embed' {
            [CompletionResult]::new('--text-column', '--text-column', [CompletionResultType]::ParameterName, 'CSV/TSV column holding the text: a header name or a 1-based index [default: text]')
            [CompletionResult]::new('--id-column', '--id-column', [CompletionResultType]::ParameterName, 'CSV column holding each row''s id (default: FILE:ROW)')
            [CompletionResult]::new('--text-field', '--text-field', [CompletionResultType]::ParameterName, 'JSONL field holding the text; a dotted path reaches into objects [default: text]')
            [CompletionResult]::new('--delimiter', '--delimiter', [CompletionResultType]::ParameterName, 'CSV field delimiter: one character, or `tab` [default: `,`; tab for .tsv]')
            [CompletionResult]::new('--pool', '--pool', [CompletionResultType]::ParameterName, 'Pool each document into one vector: the mean over its tokens (special tokens included, as sentence-transformers does) or the first token. Without it, every token''s contextual embedding is written')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Output format [default: from the --output extension (.npy, .jsonl), else jsonl]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format [default: from the --output extension (.npy, .jsonl), else jsonl]')
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'Model: a local folder (holding config.json, weights and tokenizer) or a Hugging Face Hub repo id, looked up in the Hugging Face cache and downloaded there when missing')
            [CompletionResult]::new('--model', '--model', [CompletionResultType]::ParameterName, 'Model: a local folder (holding config.json, weights and tokenizer) or a Hugging Face Hub repo id, looked up in the Hugging Face cache and downloaded there when missing')
            [CompletionResult]::new('--revision', '--revision', [CompletionResultType]::ParameterName, 'Hub revision to use: a branch, tag or commit hash')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write results to PATH, atomically: it appears only once the run is complete (work in progress goes to PATH.partial)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write results to PATH, atomically: it appears only once the run is complete (work in progress goes to PATH.partial)')
            [CompletionResult]::new('--shard', '--shard', [CompletionResultType]::ParameterName, 'Process only documents whose 0-based index modulo N is I, to spread one input over N machines or processes')
            [CompletionResult]::new('--batch-size', '--batch-size', [CompletionResultType]::ParameterName, 'Most sequences in one forward pass (1 to 8192)')
            [CompletionResult]::new('--batch-tokens', '--batch-tokens', [CompletionResultType]::ParameterName, 'Most tokens in one forward pass (sequences are packed without padding; longer ones run alone; 1 to 1048576)')
            [CompletionResult]::new('--precision', '--precision', [CompletionResultType]::ParameterName, 'How the encoder computes: f32 (exact: the Hugging Face pipeline''s scores) or bf16 (bfloat16 weights and product inputs, float32 sums: less memory, faster where the CPU has bfloat16 units); see README "Precision"')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Worker threads, 1 to 1024 [default: all cores]')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Worker threads, 1 to 1024 [default: all cores]')
            [CompletionResult]::new('--lines', '--lines', [CompletionResultType]::ParameterName, 'Read FILEs line by line too: each non-blank line is a document')
            [CompletionResult]::new('--csv', '--csv', [CompletionResultType]::ParameterName, 'Read CSV (automatic for .csv files; use it for CSV on stdin). classify''s CSV output keeps every input column and appends zeroshot_label, zeroshot_score and one zeroshot_score_<label> per label')
            [CompletionResult]::new('--tsv', '--tsv', [CompletionResultType]::ParameterName, 'Read TSV (automatic for .tsv files): tab-separated, quotes are plain text (IANA text/tab-separated-values) unless --csv-quotes')
            [CompletionResult]::new('--jsonl', '--jsonl', [CompletionResultType]::ParameterName, 'Read JSON Lines (automatic for .jsonl and .ndjson files). classify''s JSONL output keeps every input field and adds "zeroshot": {labels, scores}')
            [CompletionResult]::new('--csv-quotes', '--csv-quotes', [CompletionResultType]::ParameterName, 'Tab-separated input with CSV-style quoting (quoted fields may hold tabs and line breaks; "" is a quote)')
            [CompletionResult]::new('--skip-bad-rows', '--skip-bad-rows', [CompletionResultType]::ParameterName, 'Skip malformed rows (ragged CSV rows, invalid JSON, missing or empty text) instead of stopping; they are counted on stderr and make the exit code 2')
            [CompletionResult]::new('--normalize', '--normalize', [CompletionResultType]::ParameterName, 'Scale each pooled vector to unit L2 length')
            [CompletionResult]::new('--resume', '--resume', [CompletionResultType]::ParameterName, 'Continue an interrupted run of the same job from its PATH.partial (or start, if there is none); the result is identical to an uninterrupted run, and the input must be the same')
            [CompletionResult]::new('--restart', '--restart', [CompletionResultType]::ParameterName, 'Delete the finished work in PATH.partial and start the job over')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress display')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress display')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Show progress on stderr even when it is not a terminal (as plain lines)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'zeroshot;eval' {
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Evaluate zero-shot classification instead of NLI: the candidate labels (comma-separated or `@set`); the gold column must hold one of them')
            [CompletionResult]::new('--labels', '--labels', [CompletionResultType]::ParameterName, 'Evaluate zero-shot classification instead of NLI: the candidate labels (comma-separated or `@set`); the gold column must hold one of them')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Hypothesis template for --labels [default: the set''s or "This example is {}."]')
            [CompletionResult]::new('--template', '--template', [CompletionResultType]::ParameterName, 'Hypothesis template for --labels [default: the set''s or "This example is {}."]')
            [CompletionResult]::new('--gold-column', '--gold-column', [CompletionResultType]::ParameterName, 'Column of the gold label [default: gold_label (NLI) or label (--labels)]')
            [CompletionResult]::new('--language-column', '--language-column', [CompletionResultType]::ParameterName, 'Column of the language, for per-language accuracy [default: language if present]')
            [CompletionResult]::new('--premise', '--premise', [CompletionResultType]::ParameterName, 'NLI: column of the premise')
            [CompletionResult]::new('--hypothesis', '--hypothesis', [CompletionResultType]::ParameterName, 'NLI: column of the hypothesis')
            [CompletionResult]::new('--text-column', '--text-column', [CompletionResultType]::ParameterName, 'With --labels: column of the text')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Only the first N rows')
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'Model: a local folder (holding config.json, weights and tokenizer) or a Hugging Face Hub repo id, looked up in the Hugging Face cache and downloaded there when missing')
            [CompletionResult]::new('--model', '--model', [CompletionResultType]::ParameterName, 'Model: a local folder (holding config.json, weights and tokenizer) or a Hugging Face Hub repo id, looked up in the Hugging Face cache and downloaded there when missing')
            [CompletionResult]::new('--revision', '--revision', [CompletionResultType]::ParameterName, 'Hub revision to use: a branch, tag or commit hash')
            [CompletionResult]::new('--batch-size', '--batch-size', [CompletionResultType]::ParameterName, 'Most sequences in one forward pass (1 to 8192)')
            [CompletionResult]::new('--batch-tokens', '--batch-tokens', [CompletionResultType]::ParameterName, 'Most tokens in one forward pass (sequences are packed without padding; longer ones run alone; 1 to 1048576)')
            [CompletionResult]::new('--precision', '--precision', [CompletionResultType]::ParameterName, 'How the encoder computes: f32 (exact: the Hugging Face pipeline''s scores) or bf16 (bfloat16 weights and product inputs, float32 sums: less memory, faster where the CPU has bfloat16 units); see README "Precision"')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Worker threads, 1 to 1024 [default: all cores]')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Worker threads, 1 to 1024 [default: all cores]')
            [CompletionResult]::new('--csv-quotes', '--csv-quotes', [CompletionResultType]::ParameterName, 'A tab-separated file with CSV-style quoting (by default TSV quotes are text, as in XNLI)')
            [CompletionResult]::new('--skip-bad-rows', '--skip-bad-rows', [CompletionResultType]::ParameterName, 'Skip malformed rows instead of stopping (counted; exit code 2)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON instead of tables')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'zeroshot;merge' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the merged output to PATH, atomically (default: stdout)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the merged output to PATH, atomically (default: stdout)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'zeroshot;labels' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'zeroshot;model' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('info', 'info', [CompletionResultType]::ParameterValue, 'Where the model resolves to, its architecture, labels and tokenizer')
            [CompletionResult]::new('fetch', 'fetch', [CompletionResultType]::ParameterValue, 'Download a model into the Hugging Face cache for later offline use')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'zeroshot;model;info' {
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'Model: a local folder (holding config.json, weights and tokenizer) or a Hugging Face Hub repo id, looked up in the Hugging Face cache and downloaded there when missing')
            [CompletionResult]::new('--model', '--model', [CompletionResultType]::ParameterName, 'Model: a local folder (holding config.json, weights and tokenizer) or a Hugging Face Hub repo id, looked up in the Hugging Face cache and downloaded there when missing')
            [CompletionResult]::new('--revision', '--revision', [CompletionResultType]::ParameterName, 'Hub revision to use: a branch, tag or commit hash')
            [CompletionResult]::new('--precision', '--precision', [CompletionResultType]::ParameterName, 'The precision to describe (as classify would run it)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON instead of text')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'zeroshot;model;fetch' {
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'Model: a local folder (holding config.json, weights and tokenizer) or a Hugging Face Hub repo id, looked up in the Hugging Face cache and downloaded there when missing')
            [CompletionResult]::new('--model', '--model', [CompletionResultType]::ParameterName, 'Model: a local folder (holding config.json, weights and tokenizer) or a Hugging Face Hub repo id, looked up in the Hugging Face cache and downloaded there when missing')
            [CompletionResult]::new('--revision', '--revision', [CompletionResultType]::ParameterName, 'Hub revision to use: a branch, tag or commit hash')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'zeroshot;model;help' {
            [CompletionResult]::new('info', 'info', [CompletionResultType]::ParameterValue, 'Where the model resolves to, its architecture, labels and tokenizer')
            [CompletionResult]::new('fetch', 'fetch', [CompletionResultType]::ParameterValue, 'Download a model into the Hugging Face cache for later offline use')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'zeroshot;model;help;info' {
            break
        }
        'zeroshot;model;help;fetch' {
            break
        }
        'zeroshot;model;help;help' {
            break
        }
        'zeroshot;completions' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'zeroshot;man' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'zeroshot;help' {
            [CompletionResult]::new('classify', 'classify', [CompletionResultType]::ParameterValue, 'Rank candidate labels for each document')
            [CompletionResult]::new('nli', 'nli', [CompletionResultType]::ParameterValue, 'Probabilities of the model''s labels for premise/hypothesis pairs')
            [CompletionResult]::new('embed', 'embed', [CompletionResultType]::ParameterValue, 'Contextual token embeddings or pooled document vectors')
            [CompletionResult]::new('eval', 'eval', [CompletionResultType]::ParameterValue, 'Accuracy, macro-F1 and a confusion matrix on gold-labelled data')
            [CompletionResult]::new('merge', 'merge', [CompletionResultType]::ParameterValue, 'Join the outputs of `--shard I/N` runs into the output of one unsharded run')
            [CompletionResult]::new('labels', 'labels', [CompletionResultType]::ParameterValue, 'List the built-in label sets, or show one')
            [CompletionResult]::new('model', 'model', [CompletionResultType]::ParameterValue, 'Inspect or download models')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff), for the whole tool or one command')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'zeroshot;help;classify' {
            break
        }
        'zeroshot;help;nli' {
            break
        }
        'zeroshot;help;embed' {
            break
        }
        'zeroshot;help;eval' {
            break
        }
        'zeroshot;help;merge' {
            break
        }
        'zeroshot;help;labels' {
            break
        }
        'zeroshot;help;model' {
            [CompletionResult]::new('info', 'info', [CompletionResultType]::ParameterValue, 'Where the model resolves to, its architecture, labels and tokenizer')
            [CompletionResult]::new('fetch', 'fetch', [CompletionResultType]::ParameterValue, 'Download a model into the Hugging Face cache for later offline use')
            break
        }
        'zeroshot;help;model;info' {
            break
        }
        'zeroshot;help;model;fetch' {
            break
        }
        'zeroshot;help;completions' {
            break
        }
        'zeroshot;help;man' {
            break
        }
        'zeroshot;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
