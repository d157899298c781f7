
use builtin;
use str;

set edit:completion:arg-completer[zeroshot] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'zeroshot'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'zeroshot'= {
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand classify 'Rank candidate labels for each document'
            cand nli 'Probabilities of the model''s labels for premise/hypothesis pairs'
            cand embed 'Contextual token embeddings or pooled document vectors'
            cand eval 'Accuracy, macro-F1 and a confusion matrix on gold-labelled data'
            cand merge 'Join the outputs of `--shard I/N` runs into the output of one unsharded run'
            cand labels 'List the built-in label sets, or show one'
            cand model 'Inspect or download models'
            cand completions 'Print a shell completion script'
            cand man 'Print the man page (roff), for the whole tool or one command'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'zeroshot;classify'= {
            cand --text-column 'CSV/TSV column holding the text: a header name or a 1-based index [default: text]'
            cand --id-column 'CSV column holding each row''s id (default: FILE:ROW)'
            cand --text-field 'JSONL field holding the text; a dotted path reaches into objects [default: text]'
            cand --delimiter 'CSV field delimiter: one character, or `tab` [default: `,`; tab for .tsv]'
            cand -l 'Candidate labels, comma-separated, or a built-in set as `@name` (see `zeroshot labels`); repeatable'
            cand --labels 'Candidate labels, comma-separated, or a built-in set as `@name` (see `zeroshot labels`); repeatable'
            cand --label 'One candidate label, taken whole, so it may contain commas (repeatable)'
            cand --labels-file 'File with one label per line (`label = hypothesis phrase` allowed, `#` comments, optional `# template: ...` header); `@name` or `labels/NAME.txt` finds a built-in set anywhere; repeatable'
            cand -t 'Hypothesis template; `{}` is replaced by each label [default: "This example is {}."]'
            cand --template 'Hypothesis template; `{}` is replaced by each label [default: "This example is {}."]'
            cand --long 'Documents longer than the model accepts: `truncate` keeps the start (as the Hugging Face pipeline does); `chunk` scores overlapping windows covering the whole document and aggregates them'
            cand --stride 'With --long chunk: tokens shared by consecutive windows [default: 32]'
            cand --aggregate 'With --long chunk: a label''s document score is its best window''s (`max`) or the average over windows (`mean`) [default: max]'
            cand -m 'Model: a local folder (holding config.json, weights and tokenizer) or a Hugging Face Hub repo id, looked up in the Hugging Face cache and downloaded there when missing'
            cand --model 'Model: a local folder (holding config.json, weights and tokenizer) or a Hugging Face Hub repo id, looked up in the Hugging Face cache and downloaded there when missing'
            cand --revision 'Hub revision to use: a branch, tag or commit hash'
            cand -f 'Output format [default: from the --output extension (.csv, .tsv, .jsonl, .json), else csv for CSV input, jsonl for JSONL input, else table on a terminal and jsonl otherwise]'
            cand --format 'Output format [default: from the --output extension (.csv, .tsv, .jsonl, .json), else csv for CSV input, jsonl for JSONL input, else table on a terminal and jsonl otherwise]'
            cand --top-k 'Show only the K best labels per document (jsonl, json, table)'
            cand --threshold 'Score threshold: with --multi-label, show only labels at or above it; with --fail-on, the score that trips the gate [default: 0.5]'
            cand --fail-on 'Exit 1 (after writing all output) if any document scores at least --threshold for LABEL; repeatable'
            cand -o 'Write results to PATH, atomically: it appears only once the run is complete (work in progress goes to PATH.partial)'
            cand --output 'Write results to PATH, atomically: it appears only once the run is complete (work in progress goes to PATH.partial)'
            cand --shard 'Process only documents whose 0-based index modulo N is I, to spread one input over N machines or processes'
            cand --batch-size 'Most sequences in one forward pass (1 to 8192)'
            cand --batch-tokens 'Most tokens in one forward pass (sequences are packed without padding; longer ones run alone; 1 to 1048576)'
            cand --precision 'How the encoder computes: f32 (exact: the Hugging Face pipeline''s scores) or bf16 (bfloat16 weights and product inputs, float32 sums: less memory, faster where the CPU has bfloat16 units); see README "Precision"'
            cand -j 'Worker threads, 1 to 1024 [default: all cores]'
            cand --threads 'Worker threads, 1 to 1024 [default: all cores]'
            cand --lines 'Read FILEs line by line too: each non-blank line is a document'
            cand --csv 'Read CSV (automatic for .csv files; use it for CSV on stdin). classify''s CSV output keeps every input column and appends zeroshot_label, zeroshot_score and one zeroshot_score_<label> per label'
            cand --tsv 'Read TSV (automatic for .tsv files): tab-separated, quotes are plain text (IANA text/tab-separated-values) unless --csv-quotes'
            cand --jsonl 'Read JSON Lines (automatic for .jsonl and .ndjson files). classify''s JSONL output keeps every input field and adds "zeroshot": {labels, scores}'
            cand --csv-quotes 'Tab-separated input with CSV-style quoting (quoted fields may hold tabs and line breaks; "" is a quote)'
            cand --skip-bad-rows 'Skip malformed rows (ragged CSV rows, invalid JSON, missing or empty text) instead of stopping; they are counted on stderr and make the exit code 2'
            cand --multi-label 'Score each label on its own (entailment vs contradiction) instead of making the scores of a document sum to one'
            cand --resume 'Continue an interrupted run of the same job from its PATH.partial (or start, if there is none); the result is identical to an uninterrupted run, and the input must be the same'
            cand --restart 'Delete the finished work in PATH.partial and start the job over'
            cand -q 'No progress display'
            cand --quiet 'No progress display'
            cand --progress 'Show progress on stderr even when it is not a terminal (as plain lines)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'zeroshot;nli'= {
            cand --premise 'Column (CSV/TSV: name or 1-based index) or field (JSONL: dotted path) of the premise'
            cand --hypothesis 'Column or field of the hypothesis'
            cand --id-column 'CSV/TSV column holding each row''s id (default: FILE:ROW)'
            cand --delimiter 'Field delimiter for CSV input: one character, or `tab`'
            cand -f 'Output format [default: from the --output extension, else jsonl]'
            cand --format 'Output format [default: from the --output extension, else jsonl]'
            cand -m 'Model: a local folder (holding config.json, weights and tokenizer) or a Hugging Face Hub repo id, looked up in the Hugging Face cache and downloaded there when missing'
            cand --model 'Model: a local folder (holding config.json, weights and tokenizer) or a Hugging Face Hub repo id, looked up in the Hugging Face cache and downloaded there when missing'
            cand --revision 'Hub revision to use: a branch, tag or commit hash'
            cand -o 'Write results to PATH, atomically: it appears only once the run is complete (work in progress goes to PATH.partial)'
            cand --output 'Write results to PATH, atomically: it appears only once the run is complete (work in progress goes to PATH.partial)'
            cand --shard 'Process only documents whose 0-based index modulo N is I, to spread one input over N machines or processes'
            cand --batch-size 'Most sequences in one forward pass (1 to 8192)'
            cand --batch-tokens 'Most tokens in one forward pass (sequences are packed without padding; longer ones run alone; 1 to 1048576)'
            cand --precision 'How the encoder computes: f32 (exact: the Hugging Face pipeline''s scores) or bf16 (bfloat16 weights and product inputs, float32 sums: less memory, faster where the CPU has bfloat16 units); see README "Precision"'
            cand -j 'Worker threads, 1 to 1024 [default: all cores]'
            cand --threads 'Worker threads, 1 to 1024 [default: all cores]'
            cand --csv 'Read CSV'
            cand --tsv 'Read TSV (quotes are plain text unless --csv-quotes)'
            cand --jsonl 'Read JSON Lines'
            cand --csv-quotes 'Tab-separated input with CSV-style quoting'
            cand --skip-bad-rows 'Skip malformed rows instead of stopping (counted; exit code 2)'
            cand --resume 'Continue an interrupted run of the same job from its PATH.partial (or start, if there is none); the result is identical to an uninterrupted run, and the input must be the same'
            cand --restart 'Delete the finished work in PATH.partial and start the job over'
            cand -q 'No progress display'
            cand --quiet 'No progress display'
            cand --progress 'Show progress on stderr even when it is not a terminal (as plain lines)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'zeroshot;embed'= {
            cand --text-column 'CSV/TSV column holding the text: a header name or a 1-based index [default: text]'
            cand --id-column 'CSV column holding each row''s id (default: FILE:ROW)'
            cand --text-field 'JSONL field holding the text; a dotted path reaches into objects [default: text]'
            cand --delimiter 'CSV field delimiter: one character, or `tab` [default: `,`; tab for .tsv]'
            cand --pool 'Pool each document into one vector: the mean over its tokens (special tokens included, as sentence-transformers does) or the first token. Without it, every token''s contextual embedding is written'
            cand -f 'Output format [default: from the --output extension (.npy, .jsonl), else jsonl]'
            cand --format 'Output format [default: from the --output extension (.npy, .jsonl), else jsonl]'
            cand -m 'Model: a local folder (holding config.json, weights and tokenizer) or a Hugging Face Hub repo id, looked up in the Hugging Face cache and downloaded there when missing'
            cand --model 'Model: a local folder (holding config.json, weights and tokenizer) or a Hugging Face Hub repo id, looked up in the Hugging Face cache and downloaded there when missing'
            cand --revision 'Hub revision to use: a branch, tag or commit hash'
            cand -o 'Write results to PATH, atomically: it appears only once the run is complete (work in progress goes to PATH.partial)'
            cand --output 'Write results to PATH, atomically: it appears only once the run is complete (work in progress goes to PATH.partial)'
            cand --shard 'Process only documents whose 0-based index modulo N is I, to spread one input over N machines or processes'
            cand --batch-size 'Most sequences in one forward pass (1 to 8192)'
            cand --batch-tokens 'Most tokens in one forward pass (sequences are packed without padding; longer ones run alone; 1 to 1048576)'
            cand --precision 'How the encoder computes: f32 (exact: the Hugging Face pipeline''s scores) or bf16 (bfloat16 weights and product inputs, float32 sums: less memory, faster where the CPU has bfloat16 units); see README "Precision"'
            cand -j 'Worker threads, 1 to 1024 [default: all cores]'
            cand --threads 'Worker threads, 1 to 1024 [default: all cores]'
            cand --lines 'Read FILEs line by line too: each non-blank line is a document'
            cand --csv 'Read CSV (automatic for .csv files; use it for CSV on stdin). classify''s CSV output keeps every input column and appends zeroshot_label, zeroshot_score and one zeroshot_score_<label> per label'
            cand --tsv 'Read TSV (automatic for .tsv files): tab-separated, quotes are plain text (IANA text/tab-separated-values) unless --csv-quotes'
            cand --jsonl 'Read JSON Lines (automatic for .jsonl and .ndjson files). classify''s JSONL output keeps every input field and adds "zeroshot": {labels, scores}'
            cand --csv-quotes 'Tab-separated input with CSV-style quoting (quoted fields may hold tabs and line breaks; "" is a quote)'
            cand --skip-bad-rows 'Skip malformed rows (ragged CSV rows, invalid JSON, missing or empty text) instead of stopping; they are counted on stderr and make the exit code 2'
            cand --normalize 'Scale each pooled vector to unit L2 length'
            cand --resume 'Continue an interrupted run of the same job from its PATH.partial (or start, if there is none); the result is identical to an uninterrupted run, and the input must be the same'
            cand --restart 'Delete the finished work in PATH.partial and start the job over'
            cand -q 'No progress display'
            cand --quiet 'No progress display'
            cand --progress 'Show progress on stderr even when it is not a terminal (as plain lines)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'zeroshot;eval'= {
            cand -l 'Evaluate zero-shot classification instead of NLI: the candidate labels (comma-separated or `@set`); the gold column must hold one of them'
            cand --labels 'Evaluate zero-shot classification instead of NLI: the candidate labels (comma-separated or `@set`); the gold column must hold one of them'
            cand -t 'Hypothesis template for --labels [default: the set''s or "This example is {}."]'
            cand --template 'Hypothesis template for --labels [default: the set''s or "This example is {}."]'
            cand --gold-column 'Column of the gold label [default: gold_label (NLI) or label (--labels)]'
            cand --language-column 'Column of the language, for per-language accuracy [default: language if present]'
            cand --premise 'NLI: column of the premise'
            cand --hypothesis 'NLI: column of the hypothesis'
            cand --text-column 'With --labels: column of the text'
            cand --limit 'Only the first N rows'
            cand -m 'Model: a local folder (holding config.json, weights and tokenizer) or a Hugging Face Hub repo id, looked up in the Hugging Face cache and downloaded there when missing'
            cand --model 'Model: a local folder (holding config.json, weights and tokenizer) or a Hugging Face Hub repo id, looked up in the Hugging Face cache and downloaded there when missing'
            cand --revision 'Hub revision to use: a branch, tag or commit hash'
            cand --batch-size 'Most sequences in one forward pass (1 to 8192)'
            cand --batch-tokens 'Most tokens in one forward pass (sequences are packed without padding; longer ones run alone; 1 to 1048576)'
            cand --precision 'How the encoder computes: f32 (exact: the Hugging Face pipeline''s scores) or bf16 (bfloat16 weights and product inputs, float32 sums: less memory, faster where the CPU has bfloat16 units); see README "Precision"'
            cand -j 'Worker threads, 1 to 1024 [default: all cores]'
            cand --threads 'Worker threads, 1 to 1024 [default: all cores]'
            cand --csv-quotes 'A tab-separated file with CSV-style quoting (by default TSV quotes are text, as in XNLI)'
            cand --skip-bad-rows 'Skip malformed rows instead of stopping (counted; exit code 2)'
            cand --json 'Print JSON instead of tables'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'zeroshot;merge'= {
            cand -o 'Write the merged output to PATH, atomically (default: stdout)'
            cand --output 'Write the merged output to PATH, atomically (default: stdout)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'zeroshot;labels'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'zeroshot;model'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand info 'Where the model resolves to, its architecture, labels and tokenizer'
            cand fetch 'Download a model into the Hugging Face cache for later offline use'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'zeroshot;model;info'= {
            cand -m 'Model: a local folder (holding config.json, weights and tokenizer) or a Hugging Face Hub repo id, looked up in the Hugging Face cache and downloaded there when missing'
            cand --model 'Model: a local folder (holding config.json, weights and tokenizer) or a Hugging Face Hub repo id, looked up in the Hugging Face cache and downloaded there when missing'
            cand --revision 'Hub revision to use: a branch, tag or commit hash'
            cand --precision 'The precision to describe (as classify would run it)'
            cand --json 'Print JSON instead of text'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'zeroshot;model;fetch'= {
            cand -m 'Model: a local folder (holding config.json, weights and tokenizer) or a Hugging Face Hub repo id, looked up in the Hugging Face cache and downloaded there when missing'
            cand --model 'Model: a local folder (holding config.json, weights and tokenizer) or a Hugging Face Hub repo id, looked up in the Hugging Face cache and downloaded there when missing'
            cand --revision 'Hub revision to use: a branch, tag or commit hash'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'zeroshot;model;help'= {
            cand info 'Where the model resolves to, its architecture, labels and tokenizer'
            cand fetch 'Download a model into the Hugging Face cache for later offline use'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'zeroshot;model;help;info'= {
        }
        &'zeroshot;model;help;fetch'= {
        }
        &'zeroshot;model;help;help'= {
        }
        &'zeroshot;completions'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'zeroshot;man'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'zeroshot;help'= {
            cand classify 'Rank candidate labels for each document'
            cand nli 'Probabilities of the model''s labels for premise/hypothesis pairs'
            cand embed 'Contextual token embeddings or pooled document vectors'
            cand eval 'Accuracy, macro-F1 and a confusion matrix on gold-labelled data'
            cand merge 'Join the outputs of `--shard I/N` runs into the output of one unsharded run'
            cand labels 'List the built-in label sets, or show one'
            cand model 'Inspect or download models'
            cand completions 'Print a shell completion script'
            cand man 'Print the man page (roff), for the whole tool or one command'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'zeroshot;help;classify'= {
        }
        &'zeroshot;help;nli'= {
        }
        &'zeroshot;help;embed'= {
        }
        &'zeroshot;help;eval'= {
        }
        &'zeroshot;help;merge'= {
        }
        &'zeroshot;help;labels'= {
        }
        &'zeroshot;help;model'= {
            cand info 'Where the model resolves to, its architecture, labels and tokenizer'
            cand fetch 'Download a model into the Hugging Face cache for later offline use'
        }
        &'zeroshot;help;model;info'= {
        }
        &'zeroshot;help;model;fetch'= {
        }
        &'zeroshot;help;completions'= {
        }
        &'zeroshot;help;man'= {
        }
        &'zeroshot;help;help'= {
        }
    ]
    $completions[$command]
}
