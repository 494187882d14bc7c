package io.cairndb.cli;

import io.cairndb.client.Consistency;
import java.util.Iterator;
import java.util.List;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** {@code -c one|quorum|all}: the consistency a key-value command asks for. */
final class ConsistencyOption {

    @Option(names = {"-c", "--consistency"}, paramLabel = "LEVEL",
            converter = LevelConverter.class, completionCandidates = Levels.class,
            description = "one, quorum or all (default: the server's, quorum).")
    Consistency level;

    static final class LevelConverter implements ITypeConverter<Consistency> {
        @Override
        public Consistency convert(String text) {
            try {
                return Consistency.parse(text);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + text + "' is not one, quorum or all");
            }
        }
    }

    static final class Levels implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return List.of("one", "quorum", "all").iterator();
        }
    }
}
