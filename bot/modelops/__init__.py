"""The admins' model loop after the NLU inbox (`bot.review`): retrain, check, activate, roll back.

- `registry`: model versions (immutable files under MODELS_DIR/history), their held-out
  figures and the history of activations, in our database.
- `runs`: training runs, one at a time across processes, with their progress.
- `progress`: reading `rasa train`'s output (phases, DIET's epoch bar).
- `training`: running `rasa train` in a subprocess.
- `checking`: scoring a model on the held-out set (`python -m bot eval`) and the
  "not worse" comparison.
- `rasa_api`: swapping the model of running Rasa servers (`PUT /model`).
- `service`: the steps put together, for the console and the CLI.
- `agent`: the newest build in models/ and Rasa's Agent loaded in this process.
- `routing`: what a model and the resolver make of a text (`bot route`, the evaluations).
"""
