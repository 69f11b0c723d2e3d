"""Splink (DuckDB backend) on the labelled lead corpus of crates/identity/examples/dedupe_bench.rs.

    python bench/splink_dedupe.py bench-data/leads-1000000.csv

A sensible general-purpose Splink model, as a data engineer would set it up for company leads:

- cleaning in SQL: half-width brackets and spaces removed, a trailing legal form
  (有限公司, 有限责任公司, 股份有限公司, 集团有限公司, 公司) cut off;
- blocking rules for predictions: same USCC; same cleaned name; same first three characters
  and same project region; same last three characters and same region; same region and
  industry class;
- comparisons: cleaned name (exact, Jaro-Winkler ≥ 0.95 / 0.88 / 0.8), USCC (exact),
  industry (exact / same 2-digit division), region (exact / same city), amount (exact /
  within 30%), date (within 30 / 180 days);
- training: λ from deterministic rules (same USCC; same cleaned name and region, recall
  0.7), u by random sampling (1e7 pairs), m by EM on two blocking rules (same cleaned name;
  same region and industry);
- predict and cluster at match probability 0.5, as the Rust side clusters at score 0.5.

Prints `key value` lines: splink_seconds (train + predict + cluster, after the CSV is in
DuckDB), load_seconds, and pairwise precision, recall and F1 against the `entity` labels.
The `entity` column is never given to the model.
"""

import sys
import time

import duckdb
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

FORMS = "(股份有限公司|有限责任公司|集团有限公司|有限公司|公司)$"


def main(path):
    con = duckdb.connect()
    t0 = time.perf_counter()
    con.execute(
        f"""
        CREATE TABLE leads AS
        SELECT id, entity,
               regexp_replace(
                   regexp_replace(name, '[\\s\u3000()（）]', '', 'g'), '{FORMS}', '') AS name_clean,
               NULLIF(uscc, '') AS uscc,
               NULLIF(industry, '') AS industry,
               NULLIF(region, '') AS region,
               TRY_CAST(amount AS BIGINT) AS amount,
               TRY_CAST(date AS DATE) AS date
        FROM read_csv('{path}', header = true, all_varchar = true)
        """
    )
    con.execute("CREATE TABLE truth AS SELECT id, entity FROM leads")
    con.execute("ALTER TABLE leads DROP COLUMN entity")
    load = time.perf_counter() - t0

    t0 = time.perf_counter()
    db_api = DuckDBAPI(connection=con)
    df = db_api.register("leads")
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="id",
        blocking_rules_to_generate_predictions=[
            block_on("uscc"),
            block_on("name_clean"),
            block_on("substr(name_clean, 1, 3)", "region"),
            block_on("right(name_clean, 3)", "region"),
            block_on("region", "industry"),
        ],
        comparisons=[
            cl.JaroWinklerAtThresholds("name_clean", [0.95, 0.88, 0.8]),
            cl.ExactMatch("uscc"),
            cl.CustomComparison(
                output_column_name="industry",
                comparison_levels=[
                    cll.NullLevel("industry"),
                    cll.ExactMatchLevel("industry"),
                    cll.CustomLevel(
                        "substr(industry_l, 1, 2) = substr(industry_r, 1, 2)",
                        label_for_charts="same division",
                    ),
                    cll.ElseLevel(),
                ],
            ),
            cl.CustomComparison(
                output_column_name="region",
                comparison_levels=[
                    cll.NullLevel("region"),
                    cll.ExactMatchLevel("region"),
                    cll.CustomLevel(
                        "substr(region_l, 1, 4) = substr(region_r, 1, 4)",
                        label_for_charts="same city",
                    ),
                    cll.ElseLevel(),
                ],
            ),
            cl.CustomComparison(
                output_column_name="amount",
                comparison_levels=[
                    cll.NullLevel("amount"),
                    cll.ExactMatchLevel("amount"),
                    cll.CustomLevel(
                        "least(amount_l, amount_r) >= 0.7 * greatest(amount_l, amount_r)",
                        label_for_charts="within 30%",
                    ),
                    cll.ElseLevel(),
                ],
            ),
            cl.AbsoluteDateDifferenceAtThresholds(
                "date", metrics=["day", "day"], thresholds=[30, 180], input_is_string=False
            ),
        ],
    )
    linker = Linker(df, settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("uscc"), block_on("name_clean", "region")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("name_clean"))
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("region", "industry")
    )
    pairs = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        pairs, threshold_match_probability=0.5
    )
    seconds = time.perf_counter() - t0

    (n_pairs,) = con.execute(f"SELECT count(*) FROM {pairs.physical_name}").fetchone()
    tp, pp, tt = con.execute(
        f"""
        WITH j AS (SELECT c.cluster_id, t.entity FROM {clusters.physical_name} c
                   JOIN truth t ON t.id = c.id),
        both_ AS (SELECT count(*) AS n FROM j GROUP BY cluster_id, entity),
        pred AS (SELECT count(*) AS n FROM j GROUP BY cluster_id),
        tru AS (SELECT count(*) AS n FROM truth GROUP BY entity)
        SELECT (SELECT sum(n * (n - 1) / 2) FROM both_),
               (SELECT sum(n * (n - 1) / 2) FROM pred),
               (SELECT sum(n * (n - 1) / 2) FROM tru)
        """
    ).fetchone()
    precision = tp / max(pp, 1)
    recall = tp / max(tt, 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-300)
    print(f"load_seconds {load:.3f}")
    print(f"splink_seconds {seconds:.3f}")
    print(f"splink_predicted_links {n_pairs}")
    print(f"splink_pairs true {int(tt)} predicted {int(pp)} correct {int(tp)}")
    print(f"splink_precision {precision:.4f}")
    print(f"splink_recall {recall:.4f}")
    print(f"splink_f1 {f1:.4f}")


if __name__ == "__main__":
    main(sys.argv[1])
