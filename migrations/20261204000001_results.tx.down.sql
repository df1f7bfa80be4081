DROP TABLE result_releases;
--bun:split
DROP TABLE pass_lines;
--bun:split
DROP INDEX scores_plan;
--bun:split
DROP TABLE scores;
