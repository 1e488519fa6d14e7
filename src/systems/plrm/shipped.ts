/** Where the shipped WIS tasks (built by scripts/plrm/build_tasks.py from the digit and letter data) live. */

/** Folder of the shipped task files `digits_NN.json` and `letters_NN.json`. */
export const SHIPPED_TASKS_DIR = 'shipped:plrm-tasks';
