-- A stall rule that runs from a milestone (注册, 供地 …) names the projects longest held
-- up first: reached milestones by node and date, so a bulletin's first 50 are read in
-- order instead of every project in the stage being probed for its milestone.
CREATE INDEX milestones_reached ON milestones(node, actual_date, project_id) WHERE actual_date IS NOT NULL;
