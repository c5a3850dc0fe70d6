import ElohimDaemon

await ElohimdCommand.start()
