# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_zeroshot_global_optspecs
    string join \n h/help V/version
end

function __fish_zeroshot_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_zeroshot_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_zeroshot_using_subcommand
    set -l cmd (__fish_zeroshot_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c zeroshot -n "__fish_zeroshot_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c zeroshot -n "__fish_zeroshot_needs_command" -s V -l version -d 'Print version'
complete -c zeroshot -n "__fish_zeroshot_needs_command" -f -a "classify" -d 'Rank candidate labels for each document'
complete -c zeroshot -n "__fish_zeroshot_needs_command" -f -a "nli" -d 'Probabilities of the model\'s labels for premise/hypothesis pairs'
complete -c zeroshot -n "__fish_zeroshot_needs_command" -f -a "embed" -d 'Contextual token embeddings or pooled document vectors'
complete -c zeroshot -n "__fish_zeroshot_needs_command" -f -a "eval" -d 'Accuracy, macro-F1 and a confusion matrix on gold-labelled data'
complete -c zeroshot -n "__fish_zeroshot_needs_command" -f -a "merge" -d 'Join the outputs of `--shard I/N` runs into the output of one unsharded run'
complete -c zeroshot -n "__fish_zeroshot_needs_command" -f -a "labels" -d 'List the built-in label sets, or show one'
complete -c zeroshot -n "__fish_zeroshot_needs_command" -f -a "model" -d 'Inspect or download models'
complete -c zeroshot -n "__fish_zeroshot_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c zeroshot -n "__fish_zeroshot_needs_command" -f -a "man" -d 'Print the man page (roff), for the whole tool or one command'
complete -c zeroshot -n "__fish_zeroshot_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand classify" -l text-column -d 'CSV/TSV column holding the text: a header name or a 1-based index [default: text]' -r
complete -c zeroshot -n "__fish_zeroshot_using_subcommand classify" -l id-column -d 'CSV column holding each row\'s id (default: FILE:ROW)' -r
complete -c zeroshot -n "__fish_zeroshot_using_subcommand classify" -l text-field -d 'JSONL field holding the text; a dotted path reaches into objects [default: text]' -r
complete -c zeroshot -n "__fish_zeroshot_using_subcommand classify" -l delimiter -d 'CSV field delimiter: one character, or `tab` [default: `,`; tab for .tsv]' -r
complete -c zeroshot -n "__fish_zeroshot_using_subcommand classify" -s l -l labels -d 'Candidate labels, comma-separated, or a built-in set as `@name` (see `zeroshot labels`); repeatable' -r
complete -c zeroshot -n "__fish_zeroshot_using_subcommand classify" -l label -d 'One candidate label, taken whole, so it may contain commas (repeatable)' -r
complete -c zeroshot -n "__fish_zeroshot_using_subcommand classify" -l labels-file -d 'File with one label per line (`label = hypothesis phrase` allowed, `#` comments, optional `# template: ...` header); `@name` or `labels/NAME.txt` finds a built-in set anywhere; repeatable' -r -F
complete -c zeroshot -n "__fish_zeroshot_using_subcommand classify" -s t -l template -d 'Hypothesis template; `{}` is replaced by each label [default: "This example is {}."]' -r
complete -c zeroshot -n "__fish_zeroshot_using_subcommand classify" -l long -d 'Documents longer than the model accepts: `truncate` keeps the start (as the Hugging Face pipeline does); `chunk` scores overlapping windows covering the whole document and aggregates them' -r -f -a "truncate\t'Keep the start of the document (the pipeline\'s behaviour)'
chunk\t'Score overlapping windows over the whole document'"
complete -c zeroshot -n "__fish_zeroshot_using_subcommand classify" -l stride -d 'With --long chunk: tokens shared by consecutive windows [default: 32]' -r
complete -c zeroshot -n "__fish_zeroshot_using_subcommand classify" -l aggregate -d 'With --long chunk: a label\'s document score is its best window\'s (`max`) or the average over windows (`mean`) [default: max]' -r -f -a "max\t'A label\'s best window score'
mean\t'The mean of a label\'s window scores'"
complete -c zeroshot -n "__fish_zeroshot_using_subcommand classify" -s m -l model -d 'Model: a local folder (holding config.json, weights and tokenizer) or a Hugging Face Hub repo id, looked up in the Hugging Face cache and downloaded there when missing' -r -f -a "(__fish_complete_directories)"
complete -c zeroshot -n "__fish_zeroshot_using_subcommand classify" -l revision -d 'Hub revision to use: a branch, tag or commit hash' -r
complete -c zeroshot -n "__fish_zeroshot_using_subcommand classify" -s f -l format -d 'Output format [default: from the --output extension (.csv, .tsv, .jsonl, .json), else csv for CSV input, jsonl for JSONL input, else table on a terminal and jsonl otherwise]' -r -f -a "jsonl\t'One JSON object per document: id, labels, scores'
json\t'A JSON array of the same objects'
tsv\t'One row per document: id, top label, its score, then a score column per label'
csv\t'CSV: the input\'s rows with columns appended (CSV input), else like tsv'
table\t'Ranked labels with scores and bars, for people'"
complete -c zeroshot -n "__fish_zeroshot_using_subcommand classify" -l top-k -d 'Show only the K best labels per document (jsonl, json, table)' -r
complete -c zeroshot -n "__fish_zeroshot_using_subcommand classify" -l threshold -d 'Score threshold: with --multi-label, show only labels at or above it; with --fail-on, the score that trips the gate [default: 0.5]' -r
complete -c zeroshot -n "__fish_zeroshot_using_subcommand classify" -l fail-on -d 'Exit 1 (after writing all output) if any document scores at least --threshold for LABEL; repeatable' -r
complete -c zeroshot -n "__fish_zeroshot_using_subcommand classify" -s o -l output -d 'Write results to PATH, atomically: it appears only once the run is complete (work in progress goes to PATH.partial)' -r -F
complete -c zeroshot -n "__fish_zeroshot_using_subcommand classify" -l shard -d 'Process only documents whose 0-based index modulo N is I, to spread one input over N machines or processes' -r
complete -c zeroshot -n "__fish_zeroshot_using_subcommand classify" -l batch-size -d 'Most sequences in one forward pass (1 to 8192)' -r
complete -c zeroshot -n "__fish_zeroshot_using_subcommand classify" -l batch-tokens -d 'Most tokens in one forward pass (sequences are packed without padding; longer ones run alone; 1 to 1048576)' -r
complete -c zeroshot -n "__fish_zeroshot_using_subcommand classify" -l precision -d 'How the encoder computes: f32 (exact: the Hugging Face pipeline\'s scores) or bf16 (bfloat16 weights and product inputs, float32 sums: less memory, faster where the CPU has bfloat16 units); see README "Precision"' -r -f -a "f32\t'float32 throughout: the Hugging Face pipeline\'s scores (exact)'
bf16\t'bfloat16 weights and product inputs, float32 sums; LayerNorm, softmax, GELU, residuals, attention and the head in float32'"
complete -c zeroshot -n "__fish_zeroshot_using_subcommand classify" -s j -l threads -d 'Worker threads, 1 to 1024 [default: all cores]' -r
complete -c zeroshot -n "__fish_zeroshot_using_subcommand classify" -l lines -d 'Read FILEs line by line too: each non-blank line is a document'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand classify" -l csv -d 'Read CSV (automatic for .csv files; use it for CSV on stdin). classify\'s CSV output keeps every input column and appends zeroshot_label, zeroshot_score and one zeroshot_score_<label> per label'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand classify" -l tsv -d 'Read TSV (automatic for .tsv files): tab-separated, quotes are plain text (IANA text/tab-separated-values) unless --csv-quotes'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand classify" -l jsonl -d 'Read JSON Lines (automatic for .jsonl and .ndjson files). classify\'s JSONL output keeps every input field and adds "zeroshot": {labels, scores}'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand classify" -l csv-quotes -d 'Tab-separated input with CSV-style quoting (quoted fields may hold tabs and line breaks; "" is a quote)'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand classify" -l skip-bad-rows -d 'Skip malformed rows (ragged CSV rows, invalid JSON, missing or empty text) instead of stopping; they are counted on stderr and make the exit code 2'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand classify" -l multi-label -d 'Score each label on its own (entailment vs contradiction) instead of making the scores of a document sum to one'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand classify" -l resume -d 'Continue an interrupted run of the same job from its PATH.partial (or start, if there is none); the result is identical to an uninterrupted run, and the input must be the same'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand classify" -l restart -d 'Delete the finished work in PATH.partial and start the job over'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand classify" -s q -l quiet -d 'No progress display'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand classify" -l progress -d 'Show progress on stderr even when it is not a terminal (as plain lines)'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand classify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand nli" -l premise -d 'Column (CSV/TSV: name or 1-based index) or field (JSONL: dotted path) of the premise' -r
complete -c zeroshot -n "__fish_zeroshot_using_subcommand nli" -l hypothesis -d 'Column or field of the hypothesis' -r
complete -c zeroshot -n "__fish_zeroshot_using_subcommand nli" -l id-column -d 'CSV/TSV column holding each row\'s id (default: FILE:ROW)' -r
complete -c zeroshot -n "__fish_zeroshot_using_subcommand nli" -l delimiter -d 'Field delimiter for CSV input: one character, or `tab`' -r
complete -c zeroshot -n "__fish_zeroshot_using_subcommand nli" -s f -l format -d 'Output format [default: from the --output extension, else jsonl]' -r -f -a "jsonl\t'{"id", "label", "scores": {label: probability}} per pair'
tsv\t'id, predicted label, then one probability column per model label'"
complete -c zeroshot -n "__fish_zeroshot_using_subcommand nli" -s m -l model -d 'Model: a local folder (holding config.json, weights and tokenizer) or a Hugging Face Hub repo id, looked up in the Hugging Face cache and downloaded there when missing' -r -f -a "(__fish_complete_directories)"
complete -c zeroshot -n "__fish_zeroshot_using_subcommand nli" -l revision -d 'Hub revision to use: a branch, tag or commit hash' -r
complete -c zeroshot -n "__fish_zeroshot_using_subcommand nli" -s o -l output -d 'Write results to PATH, atomically: it appears only once the run is complete (work in progress goes to PATH.partial)' -r -F
complete -c zeroshot -n "__fish_zeroshot_using_subcommand nli" -l shard -d 'Process only documents whose 0-based index modulo N is I, to spread one input over N machines or processes' -r
complete -c zeroshot -n "__fish_zeroshot_using_subcommand nli" -l batch-size -d 'Most sequences in one forward pass (1 to 8192)' -r
complete -c zeroshot -n "__fish_zeroshot_using_subcommand nli" -l batch-tokens -d 'Most tokens in one forward pass (sequences are packed without padding; longer ones run alone; 1 to 1048576)' -r
complete -c zeroshot -n "__fish_zeroshot_using_subcommand nli" -l precision -d 'How the encoder computes: f32 (exact: the Hugging Face pipeline\'s scores) or bf16 (bfloat16 weights and product inputs, float32 sums: less memory, faster where the CPU has bfloat16 units); see README "Precision"' -r -f -a "f32\t'float32 throughout: the Hugging Face pipeline\'s scores (exact)'
bf16\t'bfloat16 weights and product inputs, float32 sums; LayerNorm, softmax, GELU, residuals, attention and the head in float32'"
complete -c zeroshot -n "__fish_zeroshot_using_subcommand nli" -s j -l threads -d 'Worker threads, 1 to 1024 [default: all cores]' -r
complete -c zeroshot -n "__fish_zeroshot_using_subcommand nli" -l csv -d 'Read CSV'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand nli" -l tsv -d 'Read TSV (quotes are plain text unless --csv-quotes)'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand nli" -l jsonl -d 'Read JSON Lines'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand nli" -l csv-quotes -d 'Tab-separated input with CSV-style quoting'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand nli" -l skip-bad-rows -d 'Skip malformed rows instead of stopping (counted; exit code 2)'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand nli" -l resume -d 'Continue an interrupted run of the same job from its PATH.partial (or start, if there is none); the result is identical to an uninterrupted run, and the input must be the same'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand nli" -l restart -d 'Delete the finished work in PATH.partial and start the job over'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand nli" -s q -l quiet -d 'No progress display'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand nli" -l progress -d 'Show progress on stderr even when it is not a terminal (as plain lines)'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand nli" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand embed" -l text-column -d 'CSV/TSV column holding the text: a header name or a 1-based index [default: text]' -r
complete -c zeroshot -n "__fish_zeroshot_using_subcommand embed" -l id-column -d 'CSV column holding each row\'s id (default: FILE:ROW)' -r
complete -c zeroshot -n "__fish_zeroshot_using_subcommand embed" -l text-field -d 'JSONL field holding the text; a dotted path reaches into objects [default: text]' -r
complete -c zeroshot -n "__fish_zeroshot_using_subcommand embed" -l delimiter -d 'CSV field delimiter: one character, or `tab` [default: `,`; tab for .tsv]' -r
complete -c zeroshot -n "__fish_zeroshot_using_subcommand embed" -l pool -d 'Pool each document into one vector: the mean over its tokens (special tokens included, as sentence-transformers does) or the first token. Without it, every token\'s contextual embedding is written' -r -f -a "mean\t'The mean over all tokens, special tokens included'
cls\t'The first token'"
complete -c zeroshot -n "__fish_zeroshot_using_subcommand embed" -s f -l format -d 'Output format [default: from the --output extension (.npy, .jsonl), else jsonl]' -r -f -a "jsonl\t'{"id", "embedding": [...]} (pooled) or {"id", "tokens", "embeddings"} per document'
npy\t'A float32 NumPy array of shape (documents, hidden); needs --pool and --output'"
complete -c zeroshot -n "__fish_zeroshot_using_subcommand embed" -s m -l model -d 'Model: a local folder (holding config.json, weights and tokenizer) or a Hugging Face Hub repo id, looked up in the Hugging Face cache and downloaded there when missing' -r -f -a "(__fish_complete_directories)"
complete -c zeroshot -n "__fish_zeroshot_using_subcommand embed" -l revision -d 'Hub revision to use: a branch, tag or commit hash' -r
complete -c zeroshot -n "__fish_zeroshot_using_subcommand embed" -s o -l output -d 'Write results to PATH, atomically: it appears only once the run is complete (work in progress goes to PATH.partial)' -r -F
complete -c zeroshot -n "__fish_zeroshot_using_subcommand embed" -l shard -d 'Process only documents whose 0-based index modulo N is I, to spread one input over N machines or processes' -r
complete -c zeroshot -n "__fish_zeroshot_using_subcommand embed" -l batch-size -d 'Most sequences in one forward pass (1 to 8192)' -r
complete -c zeroshot -n "__fish_zeroshot_using_subcommand embed" -l batch-tokens -d 'Most tokens in one forward pass (sequences are packed without padding; longer ones run alone; 1 to 1048576)' -r
complete -c zeroshot -n "__fish_zeroshot_using_subcommand embed" -l precision -d 'How the encoder computes: f32 (exact: the Hugging Face pipeline\'s scores) or bf16 (bfloat16 weights and product inputs, float32 sums: less memory, faster where the CPU has bfloat16 units); see README "Precision"' -r -f -a "f32\t'float32 throughout: the Hugging Face pipeline\'s scores (exact)'
bf16\t'bfloat16 weights and product inputs, float32 sums; LayerNorm, softmax, GELU, residuals, attention and the head in float32'"
complete -c zeroshot -n "__fish_zeroshot_using_subcommand embed" -s j -l threads -d 'Worker threads, 1 to 1024 [default: all cores]' -r
complete -c zeroshot -n "__fish_zeroshot_using_subcommand embed" -l lines -d 'Read FILEs line by line too: each non-blank line is a document'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand embed" -l csv -d 'Read CSV (automatic for .csv files; use it for CSV on stdin). classify\'s CSV output keeps every input column and appends zeroshot_label, zeroshot_score and one zeroshot_score_<label> per label'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand embed" -l tsv -d 'Read TSV (automatic for .tsv files): tab-separated, quotes are plain text (IANA text/tab-separated-values) unless --csv-quotes'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand embed" -l jsonl -d 'Read JSON Lines (automatic for .jsonl and .ndjson files). classify\'s JSONL output keeps every input field and adds "zeroshot": {labels, scores}'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand embed" -l csv-quotes -d 'Tab-separated input with CSV-style quoting (quoted fields may hold tabs and line breaks; "" is a quote)'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand embed" -l skip-bad-rows -d 'Skip malformed rows (ragged CSV rows, invalid JSON, missing or empty text) instead of stopping; they are counted on stderr and make the exit code 2'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand embed" -l normalize -d 'Scale each pooled vector to unit L2 length'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand embed" -l resume -d 'Continue an interrupted run of the same job from its PATH.partial (or start, if there is none); the result is identical to an uninterrupted run, and the input must be the same'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand embed" -l restart -d 'Delete the finished work in PATH.partial and start the job over'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand embed" -s q -l quiet -d 'No progress display'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand embed" -l progress -d 'Show progress on stderr even when it is not a terminal (as plain lines)'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand embed" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand eval" -s l -l labels -d 'Evaluate zero-shot classification instead of NLI: the candidate labels (comma-separated or `@set`); the gold column must hold one of them' -r
complete -c zeroshot -n "__fish_zeroshot_using_subcommand eval" -s t -l template -d 'Hypothesis template for --labels [default: the set\'s or "This example is {}."]' -r
complete -c zeroshot -n "__fish_zeroshot_using_subcommand eval" -l gold-column -d 'Column of the gold label [default: gold_label (NLI) or label (--labels)]' -r
complete -c zeroshot -n "__fish_zeroshot_using_subcommand eval" -l language-column -d 'Column of the language, for per-language accuracy [default: language if present]' -r
complete -c zeroshot -n "__fish_zeroshot_using_subcommand eval" -l premise -d 'NLI: column of the premise' -r
complete -c zeroshot -n "__fish_zeroshot_using_subcommand eval" -l hypothesis -d 'NLI: column of the hypothesis' -r
complete -c zeroshot -n "__fish_zeroshot_using_subcommand eval" -l text-column -d 'With --labels: column of the text' -r
complete -c zeroshot -n "__fish_zeroshot_using_subcommand eval" -l limit -d 'Only the first N rows' -r
complete -c zeroshot -n "__fish_zeroshot_using_subcommand eval" -s m -l model -d 'Model: a local folder (holding config.json, weights and tokenizer) or a Hugging Face Hub repo id, looked up in the Hugging Face cache and downloaded there when missing' -r -f -a "(__fish_complete_directories)"
complete -c zeroshot -n "__fish_zeroshot_using_subcommand eval" -l revision -d 'Hub revision to use: a branch, tag or commit hash' -r
complete -c zeroshot -n "__fish_zeroshot_using_subcommand eval" -l batch-size -d 'Most sequences in one forward pass (1 to 8192)' -r
complete -c zeroshot -n "__fish_zeroshot_using_subcommand eval" -l batch-tokens -d 'Most tokens in one forward pass (sequences are packed without padding; longer ones run alone; 1 to 1048576)' -r
complete -c zeroshot -n "__fish_zeroshot_using_subcommand eval" -l precision -d 'How the encoder computes: f32 (exact: the Hugging Face pipeline\'s scores) or bf16 (bfloat16 weights and product inputs, float32 sums: less memory, faster where the CPU has bfloat16 units); see README "Precision"' -r -f -a "f32\t'float32 throughout: the Hugging Face pipeline\'s scores (exact)'
bf16\t'bfloat16 weights and product inputs, float32 sums; LayerNorm, softmax, GELU, residuals, attention and the head in float32'"
complete -c zeroshot -n "__fish_zeroshot_using_subcommand eval" -s j -l threads -d 'Worker threads, 1 to 1024 [default: all cores]' -r
complete -c zeroshot -n "__fish_zeroshot_using_subcommand eval" -l csv-quotes -d 'A tab-separated file with CSV-style quoting (by default TSV quotes are text, as in XNLI)'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand eval" -l skip-bad-rows -d 'Skip malformed rows instead of stopping (counted; exit code 2)'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand eval" -l json -d 'Print JSON instead of tables'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand eval" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand merge" -s o -l output -d 'Write the merged output to PATH, atomically (default: stdout)' -r -F
complete -c zeroshot -n "__fish_zeroshot_using_subcommand merge" -s h -l help -d 'Print help'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand labels" -s h -l help -d 'Print help'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand model; and not __fish_seen_subcommand_from info fetch help" -s h -l help -d 'Print help'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand model; and not __fish_seen_subcommand_from info fetch help" -f -a "info" -d 'Where the model resolves to, its architecture, labels and tokenizer'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand model; and not __fish_seen_subcommand_from info fetch help" -f -a "fetch" -d 'Download a model into the Hugging Face cache for later offline use'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand model; and not __fish_seen_subcommand_from info fetch help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand model; and __fish_seen_subcommand_from info" -s m -l model -d 'Model: a local folder (holding config.json, weights and tokenizer) or a Hugging Face Hub repo id, looked up in the Hugging Face cache and downloaded there when missing' -r -f -a "(__fish_complete_directories)"
complete -c zeroshot -n "__fish_zeroshot_using_subcommand model; and __fish_seen_subcommand_from info" -l revision -d 'Hub revision to use: a branch, tag or commit hash' -r
complete -c zeroshot -n "__fish_zeroshot_using_subcommand model; and __fish_seen_subcommand_from info" -l precision -d 'The precision to describe (as classify would run it)' -r -f -a "f32\t'float32 throughout: the Hugging Face pipeline\'s scores (exact)'
bf16\t'bfloat16 weights and product inputs, float32 sums; LayerNorm, softmax, GELU, residuals, attention and the head in float32'"
complete -c zeroshot -n "__fish_zeroshot_using_subcommand model; and __fish_seen_subcommand_from info" -l json -d 'Print JSON instead of text'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand model; and __fish_seen_subcommand_from info" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand model; and __fish_seen_subcommand_from fetch" -s m -l model -d 'Model: a local folder (holding config.json, weights and tokenizer) or a Hugging Face Hub repo id, looked up in the Hugging Face cache and downloaded there when missing' -r -f -a "(__fish_complete_directories)"
complete -c zeroshot -n "__fish_zeroshot_using_subcommand model; and __fish_seen_subcommand_from fetch" -l revision -d 'Hub revision to use: a branch, tag or commit hash' -r
complete -c zeroshot -n "__fish_zeroshot_using_subcommand model; and __fish_seen_subcommand_from fetch" -s h -l help -d 'Print help'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand model; and __fish_seen_subcommand_from help" -f -a "info" -d 'Where the model resolves to, its architecture, labels and tokenizer'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand model; and __fish_seen_subcommand_from help" -f -a "fetch" -d 'Download a model into the Hugging Face cache for later offline use'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand model; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand completions" -s h -l help -d 'Print help'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand man" -s h -l help -d 'Print help'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand help; and not __fish_seen_subcommand_from classify nli embed eval merge labels model completions man help" -f -a "classify" -d 'Rank candidate labels for each document'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand help; and not __fish_seen_subcommand_from classify nli embed eval merge labels model completions man help" -f -a "nli" -d 'Probabilities of the model\'s labels for premise/hypothesis pairs'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand help; and not __fish_seen_subcommand_from classify nli embed eval merge labels model completions man help" -f -a "embed" -d 'Contextual token embeddings or pooled document vectors'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand help; and not __fish_seen_subcommand_from classify nli embed eval merge labels model completions man help" -f -a "eval" -d 'Accuracy, macro-F1 and a confusion matrix on gold-labelled data'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand help; and not __fish_seen_subcommand_from classify nli embed eval merge labels model completions man help" -f -a "merge" -d 'Join the outputs of `--shard I/N` runs into the output of one unsharded run'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand help; and not __fish_seen_subcommand_from classify nli embed eval merge labels model completions man help" -f -a "labels" -d 'List the built-in label sets, or show one'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand help; and not __fish_seen_subcommand_from classify nli embed eval merge labels model completions man help" -f -a "model" -d 'Inspect or download models'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand help; and not __fish_seen_subcommand_from classify nli embed eval merge labels model completions man help" -f -a "completions" -d 'Print a shell completion script'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand help; and not __fish_seen_subcommand_from classify nli embed eval merge labels model completions man help" -f -a "man" -d 'Print the man page (roff), for the whole tool or one command'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand help; and not __fish_seen_subcommand_from classify nli embed eval merge labels model completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand help; and __fish_seen_subcommand_from model" -f -a "info" -d 'Where the model resolves to, its architecture, labels and tokenizer'
complete -c zeroshot -n "__fish_zeroshot_using_subcommand help; and __fish_seen_subcommand_from model" -f -a "fetch" -d 'Download a model into the Hugging Face cache for later offline use'
