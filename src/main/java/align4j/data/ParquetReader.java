package align4j.data;

import align4j.InputException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Parquet through DuckDB's embedded JDBC driver (its jar bundles the native library with parquet and json
 * linked in). Each row becomes the JSON object DuckDB's {@code to_json} makes of it, so lists of message
 * structs arrive as lists of objects. One thread, insertion order kept: row numbers are file order. Extension
 * downloads are switched off; nothing is fetched from the network.
 */
final class ParquetReader {
    private ParquetReader() {
    }

    static List<DatasetRecord> read(Path file) {
        String label = file.getFileName().toString();
        List<DatasetRecord> out = new ArrayList<>();
        try {
            // DuckDB unpacks its native library into java.io.tmpdir, which must exist.
            Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
        } catch (IOException e) {
            throw new InputException("cannot create java.io.tmpdir for DuckDB: " + e.getMessage(), e);
        }
        String path = file.toAbsolutePath().toString().replace("'", "''");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            s.execute("SET autoinstall_known_extensions=false");
            s.execute("SET autoload_known_extensions=false");
            s.execute("SET threads=1");
            s.execute("SET memory_limit='1GB'");
            s.execute("SET preserve_insertion_order=true");
            try (ResultSet rs = s.executeQuery("SELECT to_json(t)::VARCHAR FROM read_parquet('" + path + "') t")) {
                long row = 0;
                while (rs.next()) {
                    row++;
                    RecordLocation at = RecordLocation.row(label, row);
                    try {
                        out.add(new DatasetRecord(at, (ObjectNode) DatasetReader.JSON.readTree(rs.getString(1))));
                    } catch (JsonProcessingException e) {
                        throw new DatasetException(at, null, "DuckDB gave a row that is not a JSON object: " + e.getOriginalMessage(), e);
                    }
                }
            }
        } catch (SQLException e) {
            throw new InputException(file + ": cannot read Parquet: " + e.getMessage(), e);
        }
        return out;
    }
}
