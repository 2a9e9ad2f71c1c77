package io.ha4j.examples.agent;

import java.util.List;

/**
 * One statement of a {@code keepalived.conf}: its words on one line and, when a {@code { ... }} block
 * follows, the statements inside it. {@code virtual_ipaddress { 10.0.0.1/24 dev eth0 }} is a statement with
 * keyword {@code virtual_ipaddress} whose block holds one statement with words
 * {@code [10.0.0.1/24, dev, eth0]}.
 *
 * @param file the file the statement is in (an included file names itself)
 * @param line 1-based line of the first word
 * @param words the words, quotes removed; never empty
 * @param hasBlock whether a block followed (an empty {@code {}} counts)
 * @param block the statements inside the block, empty when there was none
 */
public record KeepalivedStatement(String file, int line, List<String> words, boolean hasBlock, List<KeepalivedStatement> block)
        implements ConfigLine {

    public KeepalivedStatement {
        words = List.copyOf(words);
        block = List.copyOf(block);
        if (words.isEmpty()) {
            throw new IllegalArgumentException("a statement has at least one word");
        }
    }

    @Override
    public String keyword() {
        return words.get(0);
    }

    /** The words after the keyword. */
    @Override
    public List<String> args() {
        return words.subList(1, words.size());
    }
}
