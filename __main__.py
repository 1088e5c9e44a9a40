from servicelens.agent.cli import main

main()
