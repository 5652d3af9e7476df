package main

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/spf13/cobra"

	"breachflow/internal/awsenv"
	"breachflow/internal/usertable"
)

// defaultUserTable matches the UserTableName default of template.yaml, which
// the scope function reads as USER_TABLE.
const defaultUserTable = "users"

func newSeedCmd() *cobra.Command {
	var opts usertable.SeedOptions
	var table string
	cmd := &cobra.Command{
		Use:   "seed --users N [--seed S] [--table NAME]",
		Short: "Fill a user table with a deterministic synthetic population (mostly Korean; example domains only)",
		Long: `seed writes users 0..N-1 of the synthetic population for seed S into the
user table, creating it if absent. The same seed gives the same users, so
seeding again rewrites the same items. The table's attributes are described
by the default user mapping (internal/usertable/default_mapping.json).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.Users <= 0 {
				return errors.New("--users: want a positive number of users")
			}
			ctx := cmd.Context()
			cfg, err := awsenv.Load(ctx)
			if err != nil {
				return err
			}
			db := dynamodb.NewFromConfig(cfg)
			if err := usertable.CreateTable(ctx, db, table, usertable.DefaultMapping()); err != nil {
				return err
			}
			bar := newProgress(cmd.ErrOrStderr(), opts.Users, "seeding "+table, "users")
			opts.Written = func(n int) { bar.Add(n) }
			start := time.Now()
			if err := usertable.Seed(ctx, db, table, opts); err != nil {
				return err
			}
			bar.Finish()
			took := time.Since(start)
			fmt.Fprintf(cmd.OutOrStdout(), "seeded %d users (seed %d) into %s in %s (%.0f users/s)\n",
				opts.Users, opts.Seed, table, took.Round(time.Millisecond), float64(opts.Users)/took.Seconds())
			return nil
		},
	}
	f := cmd.Flags()
	f.IntVar(&opts.Users, "users", 0, "how many users to write")
	f.Uint64Var(&opts.Seed, "seed", 1, "population seed: the same seed gives the same users")
	f.StringVar(&table, "table", envString("USER_TABLE", defaultUserTable), "user table ($USER_TABLE, as the scope function reads it)")
	f.IntVar(&opts.Workers, "workers", 8, "concurrent BatchWriteItem calls")
	return cmd
}

func envString(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
