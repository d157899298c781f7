
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
            cand labels 'List the built-in label sets, or show one'
            cand model 'Inspect or download models'
            cand completions 'Print a shell completion script'
            cand man 'Print the man page (roff), for the whole tool or one command'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'zeroshot;classify'= {
            cand --text-column 'CSV column holding the text: a header name or a 1-based index'
            cand --id-column 'CSV column holding each row''s id (default: FILE:ROW)'
            cand --text-field 'JSONL field holding the text; a dotted path reaches into objects'
            cand --delimiter 'CSV field delimiter: one character, or `tab` [default: `,`; tab for .tsv]'
            cand -l 'Candidate labels, comma-separated, or a built-in set as `@name` (see `zeroshot labels`); repeatable'
            cand --labels 'Candidate labels, comma-separated, or a built-in set as `@name` (see `zeroshot labels`); repeatable'
            cand --label 'One candidate label, taken whole, so it may contain commas (repeatable)'
            cand --labels-file 'File with one label per line (`label = hypothesis phrase` allowed, `#` comments, optional `# template: ...` header); `@name` or `labels/NAME.txt` finds a built-in set anywhere; repeatable'
            cand -t 'Hypothesis template; `{}` is replaced by each label [default: "This example is {}."]'
            cand --template 'Hypothesis template; `{}` is replaced by each label [default: "This example is {}."]'
            cand -m 'Model: a local folder (holding config.json, weights and tokenizer) or a Hugging Face Hub repo id, looked up in the Hugging Face cache and downloaded there when missing'
            cand --model 'Model: a local folder (holding config.json, weights and tokenizer) or a Hugging Face Hub repo id, looked up in the Hugging Face cache and downloaded there when missing'
            cand --revision 'Hub revision to use: a branch, tag or commit hash'
            cand -f 'Output format [default: csv for CSV input, jsonl for JSONL input, else table on a terminal and jsonl otherwise]'
            cand --format 'Output format [default: csv for CSV input, jsonl for JSONL input, else table on a terminal and jsonl otherwise]'
            cand -o 'Write results to PATH, atomically: it appears only once the run is complete (work in progress goes to PATH.partial)'
            cand --output 'Write results to PATH, atomically: it appears only once the run is complete (work in progress goes to PATH.partial)'
            cand --top-k 'Show only the K best labels per document (jsonl, json, table)'
            cand --threshold 'Score threshold: with --multi-label, show only labels at or above it; with --fail-on, the score that trips the gate [default: 0.5]'
            cand --fail-on 'Exit 1 (after writing all output) if any document scores at least --threshold for LABEL; repeatable'
            cand --shard 'Process only documents whose 0-based index modulo N is I, to spread one input over N machines or processes'
            cand --batch-size 'Most NLI pairs in one forward pass'
            cand --batch-tokens 'Most tokens in one forward pass (pairs are packed without padding; longer pairs run alone)'
            cand -j 'Worker threads [default: all cores]'
            cand --threads 'Worker threads [default: all cores]'
            cand --lines 'Read FILEs line by line too: each non-blank line is a document'
            cand --csv 'Read CSV (automatic for .csv and .tsv files; use it for CSV on stdin). Output keeps every input column and appends zeroshot_label, zeroshot_score and one zeroshot_score_<label> column per label'
            cand --jsonl 'Read JSON Lines (automatic for .jsonl and .ndjson files). Output records keep every input field and add "zeroshot": {labels, scores}'
            cand --skip-bad-rows 'Skip malformed rows (ragged CSV rows, invalid JSON, missing text) instead of stopping; they are counted on stderr and make the exit code 2'
            cand --multi-label 'Score each label on its own (entailment vs contradiction) instead of making the scores of a document sum to one'
            cand --resume 'Continue an interrupted run of the same job from its PATH.partial (or start, if there is none); the result is identical to an uninterrupted run'
            cand -q 'No progress display'
            cand --quiet 'No progress display'
            cand --progress 'Show progress on stderr even when it is not a terminal (as plain lines)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
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
            cand --json 'Print JSON instead of text'
            cand -h 'Print help'
            cand --help 'Print help'
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
            cand labels 'List the built-in label sets, or show one'
            cand model 'Inspect or download models'
            cand completions 'Print a shell completion script'
            cand man 'Print the man page (roff), for the whole tool or one command'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'zeroshot;help;classify'= {
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
