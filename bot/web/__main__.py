from bot.address import without_tensorflow

without_tensorflow()  # before the application's imports reach spaCy (thinc looks for TensorFlow)

from bot.web.app import main  # noqa: E402

main()
