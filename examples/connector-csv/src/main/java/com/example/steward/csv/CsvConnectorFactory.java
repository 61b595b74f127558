package com.example.steward.csv;

import dev.steward.plugin.ConfigProblem;
import dev.steward.plugin.Connector;
import dev.steward.plugin.ConnectorContext;
import dev.steward.plugin.ConnectorFactory;
import dev.steward.plugin.EntityConfig;
import dev.steward.plugin.SystemConfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes {@code csv} connectors: a system whose records are rows of CSV files in the workspace,
 * one file per entity, with a header row. A sample of a third-party connector: it uses nothing
 * but the SPI and the JDK.
 *
 * <pre>
 * systems:
 *   sheet:
 *     connector: csv
 *     folder: data/sheets            # optional, default data
 *     entities:
 *       customer: { file: customers.csv, key: id, fields: { email: email } }
 * </pre>
 *
 * Stateless and thread-safe; found through {@link java.util.ServiceLoader}.
 */
public final class CsvConnectorFactory implements ConnectorFactory {

    @Override
    public String type() {
        return "csv";
    }

    @Override
    public List<ConfigProblem> validate(SystemConfig config) {
        List<ConfigProblem> problems = new ArrayList<>();
        String folder = config.setting("folder").orElse("data");
        if (Path.of(folder).isAbsolute() || Path.of(folder).normalize().startsWith("..")) {
            problems.add(new ConfigProblem("folder", "folder must be a folder inside the workspace, not " + folder));
        }
        for (EntityConfig entity : config.entities().values()) {
            String at = "entities." + entity.name();
            String file = entity.setting("file").orElse("");
            if (!file.matches("[A-Za-z0-9_-]+\\.csv")) {
                problems.add(new ConfigProblem(at, "entity " + entity.name() + " needs 'file': a name like "
                        + entity.name() + "s.csv in the system's folder"));
            }
            if (entity.setting("key").isEmpty()) {
                problems.add(new ConfigProblem(at, "entity " + entity.name() + " needs 'key': the column that holds the record key"));
            }
        }
        return problems;
    }

    /** Every file lists, in row order. */
    @Override
    public boolean lists(SystemConfig config, String entity) {
        return config.entity(entity).isPresent();
    }

    @Override
    public Connector create(SystemConfig config, ConnectorContext context) {
        Path folder = context.workspace().resolve(config.setting("folder").orElse("data")).normalize();
        return new CsvConnector(folder, context.logger());
    }
}
